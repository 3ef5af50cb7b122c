-- sandbox_lock_configuration: no SET can undo the sandbox.
-- params: none
SET lock_configuration = true
