-- sandbox_no_temp_directory: a user's connection spills nothing to disk.
-- params: none
SET temp_directory = ''
