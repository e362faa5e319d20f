package io.c2f.agent.enrol;

import com.google.protobuf.ByteString;
import io.c2f.agent.config.AgentConfig;
import io.c2f.agent.config.ConfigException;
import io.c2f.agent.enrol.EnrolmentRecord.Status;
import io.c2f.agent.link.LinkSettings;
import io.c2f.agent.threads.AgentThreads;
import io.c2f.proto.enrol.EnrolmentProof;
import io.c2f.proto.enrol.EnrolmentToken;
import io.c2f.proto.v1.EnrolmentRequest;
import io.c2f.proto.v1.Hardware;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device that logs in with a credential it enrolled for rather than one configured by hand. Opened
 * from the config and the state dir: with an accepted credential stored, that is the device's broker
 * password and the token is never used again; otherwise (a {@code c2f.enrol.token} and no accepted
 * credential) the device generates its credential, stores it owner-only before sending it, and runs
 * the handshake ({@link #run}) until it is accepted or refused. A device restarted while pending sends
 * the same request with the same credential again, so the controller sees one claim.
 */
public final class Enrolment implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Enrolment.class);
    /** The file in the state dir. */
    public static final String FILE = "enrolment.properties";
    private static final int CREDENTIAL_BYTES = 32;
    /** A first answer is usually there within a second; the controller may have been away. */
    private static final Duration RESEND_AFTER = Duration.ofSeconds(30);
    /** Refusals in a row of the bootstrap login before the token is taken as unusable. */
    private static final int MAX_LOGIN_REFUSALS = 5;

    private final String fleet;
    private final EnrolmentStore store;
    private final EnrolmentToken token;
    private volatile EnrolmentRecord record;
    private volatile EnrolmentClient client;
    private volatile boolean closed;

    private Enrolment(String fleet, EnrolmentStore store, EnrolmentToken token, EnrolmentRecord record) {
        this.fleet = fleet;
        this.store = store;
        this.token = token;
        this.record = record;
    }

    /**
     * The device's enrolment, or empty for a device provisioned by hand ({@code c2f.broker.password})
     * or one with neither a token nor a stored enrolment (it logs in as configured, as before).
     *
     * @throws ConfigException when the stored enrolment belongs to another device id, or a pending
     *     enrolment has no token left to finish it with
     * @throws IOException when the stored enrolment cannot be read (damaged, open to other users) or
     *     a new one cannot be written
     */
    public static Optional<Enrolment> open(AgentConfig config, SecureRandom random)
            throws ConfigException, IOException {
        if (config.password() != null) {
            return Optional.empty();
        }
        EnrolmentStore store = new EnrolmentStore(config.stateDir().resolve(FILE));
        Optional<EnrolmentRecord> stored = store.load();
        EnrolmentToken token = config.enrolToken();
        if (stored.isPresent()) {
            EnrolmentRecord r = stored.get();
            if (!r.deviceId().equals(config.deviceId())) {
                throw new ConfigException("the state dir holds the enrolment of device '" + r.deviceId()
                        + "' but c2f.device.id is '" + config.deviceId() + "' (" + store.file()
                        + "): use that device's id or another c2f.state.dir");
            }
            if (r.isAccepted()) {
                if (token != null) {
                    LOG.info("{} is enrolled: c2f.enrol.token is not used again and can be removed", r.deviceId());
                }
                return Optional.of(new Enrolment(config.fleet(), store, null, r));
            }
            if (token == null) {
                throw new ConfigException("device '" + r.deviceId() + "' has a pending enrolment with token '"
                        + r.tokenId() + "' but no c2f.enrol.token (or c2f.enrol.token-file) is configured to finish it");
            }
            if (token.tokenId().equals(r.tokenId())) {
                return Optional.of(new Enrolment(config.fleet(), store, token, r));
            }
            LOG.info("{}: enrolment token changed from '{}' to '{}': asking again with a new credential",
                    r.deviceId(), r.tokenId(), token.tokenId());
        } else if (token == null) {
            return Optional.empty();
        }
        EnrolmentRecord fresh = new EnrolmentRecord(config.deviceId(), token.tokenId(), UUID.randomUUID().toString(),
                newCredential(random), Status.PENDING);
        store.save(fresh); // stored before it is ever sent: a crash never leaves a sent credential unknown here
        return Optional.of(new Enrolment(config.fleet(), store, token, fresh));
    }

    static String newCredential(SecureRandom random) {
        byte[] b = new byte[CREDENTIAL_BYTES];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Whether the device holds an accepted credential. */
    public boolean accepted() {
        return record.isAccepted();
    }

    public EnrolmentRecord record() {
        return record;
    }

    /** The settings with the device's own login: user name = client id = device id, password = its credential. */
    public LinkSettings deviceLogin(LinkSettings base) {
        return base.withCredentials(record.deviceId(), record.credential().toCharArray());
    }

    /**
     * Runs the handshake, unless already accepted, over the broker of {@code link} with the bootstrap
     * login. Completes once the acceptance is stored; fails with {@link EnrolmentRefusedException}
     * when the controller rejects the request or the broker keeps refusing the token.
     */
    public CompletableFuture<Void> run(LinkSettings link, String agentVersion, Hardware hardware,
            List<String> labels) {
        return run(link, agentVersion, hardware, labels, AgentThreads.dedicated());
    }

    /** As {@link #run(LinkSettings, String, Hardware, List)}, on a lane and MQTT client of {@code threads}. */
    public synchronized CompletableFuture<Void> run(LinkSettings link, String agentVersion, Hardware hardware,
            List<String> labels, AgentThreads threads) {
        if (record.isAccepted()) {
            return CompletableFuture.completedFuture(null);
        }
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("enrolment of " + record.deviceId()
                    + " is closed"));
        }
        EnrolmentRequest unsigned = EnrolmentRequest.newBuilder().setDeviceId(record.deviceId())
                .setRequestId(record.requestId()).setTokenId(token.tokenId()).setCredential(record.credential())
                .setAgentVersion(agentVersion).setHardware(hardware).addAllLabels(labels).build();
        EnrolmentRequest request = unsigned.toBuilder()
                .setTokenProof(ByteString.copyFrom(EnrolmentProof.compute(fleet, unsigned, token.secretSha256())))
                .build();
        try {
            client = new EnrolmentClient(link, token, request, RESEND_AFTER, MAX_LOGIN_REFUSALS, threads);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return client.start().thenAccept(answer -> {
            try {
                EnrolmentRecord accepted = record.accepted();
                store.save(accepted);
                record = accepted;
            } catch (IOException e) {
                throw new CompletionException(new IOException("the enrolment of " + record.deviceId()
                        + " was accepted but cannot be stored in " + store.file() + ": " + e.getMessage(), e));
            }
        });
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (client != null) {
            client.close();
        }
    }
}
