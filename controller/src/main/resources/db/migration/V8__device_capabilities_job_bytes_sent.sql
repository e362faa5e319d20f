-- Delta bundle updates (issue 17): what a device announces it can do, and the bundle bytes each
-- job's device was sent. Portable types only (PostgreSQL and H2 in MODE=PostgreSQL).
-- (Numbered 9: versions 7 and 8 are left to changes being made beside this one.)

-- Birth.capabilities as a JSON array of strings (e.g. ["bundle-delta"]); NULL before the first
-- birth that carried the field was stored. A hint shown to operators, never a permission.
ALTER TABLE devices ADD COLUMN capabilities TEXT;

-- Bundle chunks the broker acknowledged to the job's device, and their bytes, summed over every
-- controller instance that served them (each adds what it sent).
ALTER TABLE jobs ADD COLUMN chunks_sent BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN bytes_sent BIGINT NOT NULL DEFAULT 0;
