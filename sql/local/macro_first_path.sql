-- local/macro_first_path: art_first_path(), the first file of the list (art_trajectory_paths):
-- the text up to its first NUL, or all of it when it lists one file (`x[:-1]` is the whole
-- text). Found by position: split_part splits the whole list (~1.5 ms at 5,000 files).
-- params: none
CREATE OR REPLACE TEMP MACRO art_first_path() AS
getvariable('art_trajectory_paths')[:strpos(getvariable('art_trajectory_paths'), chr(0)) - 1]
