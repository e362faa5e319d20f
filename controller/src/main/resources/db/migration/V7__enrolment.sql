-- Device enrolment with admission (issue 17): fleet enrolment tokens and the devices that asked to
-- enrol with them. Portable types only (PostgreSQL and H2 in MODE=PostgreSQL).

-- A token an operator hands to new devices ("{id}.{secret}"). Only sha256(secret) is kept: the
-- secret is shown once, when the token is created.
CREATE TABLE enrolment_tokens (
    id             VARCHAR(64)  NOT NULL,
    secret_sha256  VARCHAR(64)  NOT NULL,
    -- JSON object of the labels the token grants ({"site": "lab"})
    labels         TEXT         NOT NULL,
    -- NULL: never expires
    expires_ms     BIGINT,
    -- NULL: unlimited
    max_uses       INTEGER,
    -- devices accepted with it so far
    uses           INTEGER      NOT NULL,
    auto_accept    BOOLEAN      NOT NULL,
    created_ms     BIGINT       NOT NULL,
    -- NULL while usable
    revoked_ms     BIGINT,
    CONSTRAINT enrolment_tokens_pk PRIMARY KEY (id)
);

-- One row per device id that asked to enrol: its latest request and the operator's decision.
-- The credential the device generated is kept only as a salted PBKDF2 hash (DeviceCredentials' form).
CREATE TABLE enrolments (
    device_id        VARCHAR(64)  NOT NULL,
    token_id         VARCHAR(64)  NOT NULL,
    request_id       VARCHAR(128) NOT NULL,
    -- PENDING, ACCEPTED, REJECTED or DECOMMISSIONED
    status           VARCHAR(16)  NOT NULL,
    credential_hash  VARCHAR(200) NOT NULL,
    agent_version    VARCHAR(64),
    -- JSON (protobuf JSON mapping of Hardware)
    hardware         TEXT,
    -- JSON array of "key=value": the device's own, plus the token's once accepted
    labels           TEXT         NOT NULL,
    reason           TEXT,
    requested_ms     BIGINT       NOT NULL,
    decided_ms       BIGINT,
    CONSTRAINT enrolments_pk PRIMARY KEY (device_id)
);

CREATE INDEX enrolments_status_idx ON enrolments (status, requested_ms);
