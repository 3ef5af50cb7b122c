-- sandbox_no_autoload: a user's connection loads no extension by itself.
-- params: none
SET autoload_known_extensions = false
