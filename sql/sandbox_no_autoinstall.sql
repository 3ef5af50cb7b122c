-- sandbox_no_autoinstall: a user's connection installs no extension.
-- params: none
SET autoinstall_known_extensions = false
