-- local/insert_history: append long-format rows from the Arrow table registered as `new_history`.
-- params: none
INSERT INTO history BY NAME SELECT * FROM new_history
