//! The JSON API: `api/entities.json` (every entity, as Backstage's catalog API returns them:
//! the envelope plus computed `relations`) and `api/entities/<namespace>/<kind>/<name>.json`.

use super::{entity_path, write_file, Site};
use serde_json::{json, Value as Json};
use std::io::{self, Write};
use std::path::Path;

/// Entity `i` with its relations as `[{type, targetRef}]`, sorted.
pub fn entity_json(site: &Site, i: usize) -> Json {
    let mut data = site.catalog.entities[i].data.clone();
    let mut rels: Vec<(String, &str)> = site.catalog.relations[i]
        .iter()
        .map(|r| (r.target.to_string(), r.kind))
        .collect();
    rels.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    rels.dedup();
    let relations: Vec<Json> = rels
        .into_iter()
        .map(|(target, kind)| json!({"type": kind, "targetRef": target}))
        .collect();
    if let Some(obj) = data.as_object_mut() {
        obj.insert("relations".into(), Json::Array(relations));
    }
    data
}

/// `api/entities.json`: a JSON array, one entity per line, streamed to disk.
pub fn all(site: &Site, out: &Path) -> io::Result<()> {
    let path = out.join("api/entities.json");
    std::fs::create_dir_all(path.parent().unwrap())?;
    let mut w = io::BufWriter::new(std::fs::File::create(path)?);
    w.write_all(b"[")?;
    for i in 0..site.catalog.entities.len() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut w, &entity_json(site, i))?;
    }
    w.write_all(b"\n]\n")?;
    w.flush()
}

/// `api/entities/<namespace>/<kind>/<name>.json`, pretty-printed.
pub fn one(site: &Site, out: &Path, i: usize) -> io::Result<()> {
    let r = &site.catalog.entities[i].entity_ref;
    let mut bytes = serde_json::to_vec_pretty(&entity_json(site, i))?;
    bytes.push(b'\n');
    write_file(
        out,
        &format!("api/entities/{}.json", entity_path(r)),
        &bytes,
    )
}
