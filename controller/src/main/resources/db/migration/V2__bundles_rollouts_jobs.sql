-- Bundles, rollouts in waves, and per-device jobs (the AWS IoT Jobs model). Portable SQL for
-- PostgreSQL and H2 in MODE=PostgreSQL; times are epoch milliseconds.

-- A signed bundle. The payload lives in the data dir under payloads/{payload_sha256}.
CREATE TABLE bundles (
    -- BundleManifest.bundle_id: "{name}-{version}", unique per version
    id               VARCHAR(128) NOT NULL,
    name             VARCHAR(64)  NOT NULL,
    version          VARCHAR(64)  NOT NULL,
    model_sha256     VARCHAR(64)  NOT NULL,
    payload_sha256   VARCHAR(64)  NOT NULL,
    payload_size     BIGINT       NOT NULL,
    chunk_size       INTEGER      NOT NULL,
    chunk_count      INTEGER      NOT NULL,
    -- the SignedManifest as sent in InstallBundle (protobuf bytes)
    signed_manifest  BYTEA        NOT NULL,
    key_id           VARCHAR(32)  NOT NULL,
    created_ms       BIGINT       NOT NULL,
    CONSTRAINT bundles_pk PRIMARY KEY (id)
);

CREATE TABLE rollouts (
    id                VARCHAR(64)  NOT NULL,
    fleet             VARCHAR(64)  NOT NULL,
    bundle_id         VARCHAR(128) NOT NULL,
    -- the request as given (target, waves, abort thresholds, timeouts), JSON
    spec              TEXT         NOT NULL,
    -- RUNNING, PAUSED, ABORTING, ABORTED, SUCCEEDED
    state             VARCHAR(16)  NOT NULL,
    current_wave      INTEGER      NOT NULL,
    abort_reason      TEXT,
    created_ms        BIGINT       NOT NULL,
    updated_ms        BIGINT       NOT NULL,
    finished_ms       BIGINT,
    -- exactly one controller drives a rollout: the holder of an unexpired lease
    lease_owner       VARCHAR(64),
    lease_expires_ms  BIGINT       NOT NULL DEFAULT 0,
    CONSTRAINT rollouts_pk PRIMARY KEY (id),
    CONSTRAINT rollouts_bundle_fk FOREIGN KEY (bundle_id) REFERENCES bundles (id)
);

CREATE INDEX rollouts_state_idx ON rollouts (state);

-- The devices of each wave are fixed when the rollout is created, so a restarted controller
-- continues with exactly the plan it started.
CREATE TABLE rollout_waves (
    rollout_id   VARCHAR(64) NOT NULL,
    wave_index   INTEGER     NOT NULL,
    -- PENDING, RUNNING, SUCCEEDED, FAILED, CANCELED
    state        VARCHAR(16) NOT NULL,
    -- JSON array of device ids
    devices      TEXT        NOT NULL,
    started_ms   BIGINT,
    finished_ms  BIGINT,
    CONSTRAINT rollout_waves_pk PRIMARY KEY (rollout_id, wave_index),
    CONSTRAINT rollout_waves_rollout_fk FOREIGN KEY (rollout_id) REFERENCES rollouts (id)
);

CREATE TABLE jobs (
    id                 VARCHAR(64)  NOT NULL,
    rollout_id         VARCHAR(64),
    wave_index         INTEGER,
    device_id          VARCHAR(64)  NOT NULL,
    -- INSTALL or ROLLBACK
    kind               VARCHAR(16)  NOT NULL,
    bundle_id          VARCHAR(128) NOT NULL,
    -- the bundle the device ran when the job was created (what a rollback returns to)
    previous_bundle_id VARCHAR(128),
    -- QUEUED, IN_PROGRESS, SUCCEEDED, FAILED, TIMED_OUT, REJECTED, CANCELED (JobState without prefix)
    state              VARCHAR(16)  NOT NULL,
    step               VARCHAR(16),
    progress           INTEGER      NOT NULL DEFAULT 0,
    error_code         VARCHAR(32),
    error_message      TEXT,
    probe_psnr_db      DOUBLE PRECISION,
    probe_passed       BOOLEAN,
    step_timeout_ms    BIGINT       NOT NULL,
    -- the controller declares the job TIMED_OUT after this instant
    deadline_ms        BIGINT       NOT NULL,
    attempts           INTEGER      NOT NULL DEFAULT 0,
    created_ms         BIGINT       NOT NULL,
    sent_ms            BIGINT,
    started_ms         BIGINT,
    updated_ms         BIGINT       NOT NULL,
    finished_ms        BIGINT,
    CONSTRAINT jobs_pk PRIMARY KEY (id),
    CONSTRAINT jobs_bundle_fk FOREIGN KEY (bundle_id) REFERENCES bundles (id)
);

CREATE INDEX jobs_rollout_idx ON jobs (rollout_id);
CREATE INDEX jobs_device_idx ON jobs (device_id, state);

-- What happened to a rollout, for operators.
CREATE TABLE rollout_events (
    rollout_id  VARCHAR(64)  NOT NULL,
    at_ms       BIGINT       NOT NULL,
    kind        VARCHAR(32)  NOT NULL,
    message     TEXT         NOT NULL
);

CREATE INDEX rollout_events_rollout_idx ON rollout_events (rollout_id, at_ms);
