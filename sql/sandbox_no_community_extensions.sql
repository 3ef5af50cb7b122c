-- sandbox_no_community_extensions: no community extensions in a user's connection.
-- params: none
SET allow_community_extensions = false
