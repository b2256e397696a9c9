; Highlights for HCL / Terraform (tree-sitter-hcl ships a grammar but no queries).
(comment) @comment

(block (identifier) @keyword)
(block (string_lit) @string.special)
(attribute (identifier) @property)
(object_elem key: (expression (variable_expr (identifier) @property)))
(function_call (identifier) @function)
(get_attr (identifier) @property)
(variable_expr (identifier) @variable)

[
  (string_lit)
  (quoted_template)
  (heredoc_template)
] @string
(template_interpolation) @embedded
[(heredoc_start) (heredoc_identifier)] @punctuation.special

(numeric_lit) @number
(bool_lit) @constant.builtin
(null_lit) @constant.builtin

["for" "in" "if" "else" "endif" "endfor"] @keyword

["!" "!=" "%" "&&" "*" "+" "-" "/" "<" "<=" "==" "=>" ">" ">=" "?" "||" "=" ":"] @operator
["(" ")" "[" "]" "{" "}"] @punctuation.bracket
["," "."] @punctuation.delimiter
