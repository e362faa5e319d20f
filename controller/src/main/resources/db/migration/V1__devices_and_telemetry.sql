-- Runs unchanged on PostgreSQL and on H2 in MODE=PostgreSQL: portable types only
-- (VARCHAR, TEXT, BIGINT, INTEGER, DOUBLE PRECISION, BYTEA), times as epoch milliseconds.

CREATE TABLE devices (
    id                    VARCHAR(64)  NOT NULL,
    fleet                 VARCHAR(64)  NOT NULL,
    -- JSON array of strings, from the birth
    labels                TEXT         NOT NULL,
    -- JSON (protobuf JSON mapping of Hardware / DelegateInfo list), from the birth
    hardware              TEXT,
    delegates             TEXT,
    agent_version         VARCHAR(64),
    bundle_id             VARCHAR(128),
    bundle_version        VARCHAR(64),
    bundle_model_sha256   VARCHAR(64),
    bundle_slot           VARCHAR(8),
    schedule_id           VARCHAR(128),
    -- session of the current (or last) birth; a death with another bd_seq is stale
    bd_seq                BIGINT       NOT NULL,
    -- ONLINE or OFFLINE
    status                VARCHAR(16)  NOT NULL,
    -- why it went offline: CONNECTION_LOST, GRACEFUL_SHUTDOWN, HEARTBEAT_TIMEOUT, ...
    offline_reason        VARCHAR(32),
    first_seen_ms         BIGINT       NOT NULL,
    last_seen_ms          BIGINT       NOT NULL,
    last_birth_ms         BIGINT       NOT NULL,
    heartbeat_interval_ms INTEGER,
    -- operator's latency target for this device (ms per image), when set
    latency_target_ms     DOUBLE PRECISION,
    -- telemetry bookkeeping: next expected telemetry_seq and what was received or lost
    telemetry_next_seq    BIGINT       NOT NULL DEFAULT 0,
    telemetry_received    BIGINT       NOT NULL DEFAULT 0,
    telemetry_dropped     BIGINT       NOT NULL DEFAULT 0,
    telemetry_gap         BIGINT       NOT NULL DEFAULT 0,
    CONSTRAINT devices_pk PRIMARY KEY (id)
);

CREATE INDEX devices_fleet_status_idx ON devices (fleet, status);

-- Raw telemetry records; the primary key de-duplicates QoS 1 redeliveries.
CREATE TABLE telemetry (
    device_id      VARCHAR(64) NOT NULL,
    telemetry_seq  BIGINT      NOT NULL,
    fleet          VARCHAR(64) NOT NULL,
    -- GENERATION, AGGREGATE or FACTS
    kind           VARCHAR(16) NOT NULL,
    dropped_before BIGINT      NOT NULL,
    sent_at_ms     BIGINT      NOT NULL,
    received_at_ms BIGINT      NOT NULL,
    -- the Telemetry message as received (protobuf bytes)
    payload        BYTEA       NOT NULL,
    CONSTRAINT telemetry_pk PRIMARY KEY (device_id, telemetry_seq)
);

CREATE INDEX telemetry_received_idx ON telemetry (received_at_ms);

-- Bundles, schedules, rollouts and jobs come in later migrations (V2__...).
