-- What the operator's view shows about a model beyond its manifest, and the images devices
-- generated on request. Portable types only (PostgreSQL and H2 in MODE=PostgreSQL). Depends on V3.
-- (Numbered 6, not 4: versions 4 and 5 are left to changes being made beside this one.)

-- A model's card (Markdown, shown escaped) and its rank analysis (RankReport CSV of the schedules
-- tool, with the switch time step chosen or recommended). Either may be missing.
CREATE TABLE model_documents (
    model_id              VARCHAR(128) NOT NULL,
    card_markdown         TEXT,
    -- where the card came from: a file path, or 'api'
    card_source           TEXT,
    rank_csv              TEXT,
    -- the marked switch time step; NULL when the curve is flat (no switch signal)
    rank_switch_timestep  INTEGER,
    -- GIVEN (by whoever attached the report) or RECOMMENDED (the rank rule on the full curve) or FLAT
    rank_switch_source    VARCHAR(16),
    updated_ms            BIGINT       NOT NULL,
    CONSTRAINT model_documents_pk PRIMARY KEY (model_id),
    CONSTRAINT model_documents_model_fk FOREIGN KEY (model_id) REFERENCES models (id) ON DELETE CASCADE
);

-- Images devices returned for a generate request. The PNG itself lives in the data directory,
-- named by its sha256 (content-addressed: the same image twice is stored once).
CREATE TABLE generated_images (
    request_id     VARCHAR(64)  NOT NULL,
    image_index    INTEGER      NOT NULL,
    device_id      VARCHAR(64)  NOT NULL,
    png_sha256     VARCHAR(64)  NOT NULL,
    seed           BIGINT       NOT NULL,
    schedule_id    VARCHAR(128) NOT NULL,
    width          INTEGER      NOT NULL,
    height         INTEGER      NOT NULL,
    total_ms       DOUBLE PRECISION NOT NULL,
    created_ms     BIGINT       NOT NULL,
    CONSTRAINT generated_images_pk PRIMARY KEY (request_id, image_index)
);

CREATE INDEX generated_images_device_idx ON generated_images (device_id, created_ms);
