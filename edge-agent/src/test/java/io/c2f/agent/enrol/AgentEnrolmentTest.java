package io.c2f.agent.enrol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.c2f.agent.bundle.BundleOpenException;
import io.c2f.agent.config.AgentConfig;
import io.c2f.agent.core.EdgeAgent;
import io.c2f.agent.engine.ModelEngine;
import io.c2f.agent.testing.FakeEnrolmentController;
import io.c2f.agent.testing.FakeEnrolmentController.Decision;
import io.c2f.proto.bundle.Ed25519Keys;
import io.c2f.proto.enrol.EnrolmentToken;
import io.c2f.proto.testing.MosquittoBroker;
import io.c2f.proto.v1.EnrolmentRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A fresh agent with only a fleet enrolment token, against a real Mosquitto that lets in only the
 * logins in its password file (the bootstrap login of the token and the fake controller's; a device's
 * own login only once the test adds its credential, as the controller does on acceptance) and a fake
 * controller answering on the retained enrol/answer topic.
 */
class AgentEnrolmentTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String FLEET = "t";
    private static final String DEVICE = "dev-1";
    private static final ModelEngine NO_MODEL = slot -> {
        throw new BundleOpenException("no model in this test");
    };

    @TempDir
    Path tmp;
    private final EnrolmentToken token = EnrolmentToken.generate("tok1", new SecureRandom());
    private final PublicKey controllerKey = Ed25519Keys.generate().getPublic();
    private Path passwords;
    private MosquittoBroker broker;
    private FakeEnrolmentController controller;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void startBroker() throws Exception {
        assumeTrue(MosquittoBroker.available(), "mosquitto is not installed");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/mosquitto_passwd")), "mosquitto_passwd is not installed");
        passwords = tmp.resolve("passwd");
        allow("ctl", "ctl-password");
        allow(token.bootstrapUsername(), token.secret());
        broker = MosquittoBroker.start(tmp.resolve("broker"), "allow_anonymous false\npassword_file " + passwords);
        controller = new FakeEnrolmentController(broker.uri(), "ctl", "ctl-password", FLEET, token);
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void stopBroker() throws Exception {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        if (controller != null) {
            controller.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private EdgeAgent agent(Path state, String tokenText) throws Exception {
        Properties p = new Properties();
        p.setProperty("c2f.fleet", FLEET);
        p.setProperty("c2f.device.id", DEVICE);
        p.setProperty("c2f.broker.url", broker.uri());
        p.setProperty("c2f.state.dir", state.toString());
        p.setProperty("c2f.labels", "site=lab");
        p.setProperty("c2f.enrol.token", tokenText);
        return new EdgeAgent(AgentConfig.from(p, tmp), NO_MODEL, controllerKey, Clock.systemUTC());
    }

    /** Adds a login to the broker's password file (and makes a running broker reload it, as on acceptance). */
    private void allow(String user, String password) throws Exception {
        boolean create = !Files.exists(passwords);
        Process p = new ProcessBuilder(create ? new String[] {"mosquitto_passwd", "-b", "-c", passwords.toString(), user,
                password} : new String[] {"mosquitto_passwd", "-b", passwords.toString(), user, password})
                .redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
        // Mosquitto (started as root) drops to its own user and must still read the file
        passwords.toFile().setReadable(true, false);
        tmp.toFile().setExecutable(true, false);
        if (broker == null) {
            return;
        }
        // SIGHUP to our own broker child (found by its config file): it reloads the password file
        String conf = "mosquitto-" + broker.port() + ".conf";
        ProcessHandle mosquitto = ProcessHandle.current().children()
                .filter(h -> h.info().commandLine().map(c -> c.contains(conf)).orElse(false)).findFirst().orElseThrow();
        assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(mosquitto.pid())).start().waitFor());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!canLogIn(user, password)) {
            assertTrue(System.nanoTime() < deadline, "the broker did not take the new login of " + user);
            Thread.sleep(50);
        }
    }

    private boolean canLogIn(String user, String password) throws MqttException {
        MqttClient c = new MqttClient(broker.uri(), "probe-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(user);
        o.setPassword(password.toCharArray());
        try {
            c.connect(o);
            c.disconnect();
            return true;
        } catch (MqttException e) {
            return false;
        } finally {
            c.close();
        }
    }

    private static EnrolmentRecord stored(Path state) throws Exception {
        return new EnrolmentStore(state.resolve(Enrolment.FILE)).load().orElseThrow();
    }

    private void assertNoSecretLogged(String... secrets) {
        for (ILoggingEvent e : logs.list) {
            for (String s : secrets) {
                assertFalse(e.getFormattedMessage().contains(s), "a secret was logged: " + e.getLoggerName());
            }
        }
    }

    @Test
    void aFreshAgentWaitsWhilePendingAcrossARestartThenLogsInAsItselfAndNeverUsesTheTokenAgain() throws Exception {
        Path state = tmp.resolve("state");
        EnrolmentRequest first;
        try (EdgeAgent agent = agent(state, token.text())) {
            agent.start();
            first = controller.awaitRequest(1, WAIT);
            assertEquals(DEVICE, first.getDeviceId());
            assertEquals("tok1", first.getTokenId());
            assertEquals(43, first.getCredential().length(), "32 random bytes, base64url");
            assertEquals(java.util.List.of("site=lab"), first.getLabelsList());
            assertTrue(controller.badProofs().isEmpty(), "token_proof verifies with the token's secret hash");

            // stored owner-only before it was sent, and it is the credential that was sent
            Path file = state.resolve(Enrolment.FILE);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals(first.getCredential(), stored(state).credential());
            assertEquals(EnrolmentRecord.Status.PENDING, stored(state).status());
            Thread.sleep(1000);
            assertFalse(agent.enrolled().isDone(), "pending: still waiting");
            assertFalse(agent.isOnline());
        }

        EnrolmentRequest again;
        try (EdgeAgent restarted = agent(state, token.text())) {
            restarted.start();
            again = controller.awaitRequest(2, WAIT);
            assertEquals(first.getRequestId(), again.getRequestId(), "the same request after a restart");
            assertEquals(first.getCredential(), again.getCredential(), "the same credential: one identity");

            allow(DEVICE, first.getCredential()); // what the controller does at the broker on acceptance
            controller.answer(again, Decision.accepted());
            restarted.enrolled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            controller.awaitBirth(DEVICE, WAIT);
            assertTrue(restarted.isOnline());
            assertEquals(EnrolmentRecord.Status.ACCEPTED, stored(state).status());
        }

        // the token is still in the config, but an accepted device never uses it again
        controller.forgetBirths();
        try (EdgeAgent enrolled = agent(state, token.text())) {
            enrolled.start();
            controller.awaitBirth(DEVICE, WAIT);
            assertEquals(2, controller.requests().size(), "no new enrolment request");
        }
        assertNoSecretLogged(token.secret(), first.getCredential());
    }

    @Test
    void aRejectedAgentStopsNamingTheReasonAndATokenTheBrokerRefusesStopsToo() throws Exception {
        controller.policy(r -> Decision.rejected("hardware not on the purchase order"));
        try (EdgeAgent agent = agent(tmp.resolve("a"), token.text())) {
            agent.start();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> agent.enrolled().get(WAIT.toSeconds(), TimeUnit.SECONDS));
            EnrolmentRefusedException refused = assertInstanceOf(EnrolmentRefusedException.class, e.getCause());
            assertEquals(EnrolmentRefusedException.By.CONTROLLER, refused.by());
            assertEquals("enrolment of dev-1 was rejected by the controller: hardware not on the purchase order",
                    refused.getMessage());
            Thread.sleep(2000);
            assertEquals(1, controller.requests().size(), "no retry after a rejection");
            assertFalse(agent.isOnline());
            assertFalse(controller.bornSince(DEVICE));
        }

        String wrong = EnrolmentToken.generate("tok1", new SecureRandom()).secret();
        try (EdgeAgent agent = agent(tmp.resolve("b"), "tok1." + wrong)) {
            agent.start();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> agent.enrolled().get(60, TimeUnit.SECONDS));
            EnrolmentRefusedException refused = assertInstanceOf(EnrolmentRefusedException.class, e.getCause());
            assertEquals(EnrolmentRefusedException.By.BROKER, refused.by());
            assertTrue(refused.getMessage().contains("refused the bootstrap login of enrolment token 'tok1' 5 times"),
                    refused.getMessage());
            assertFalse(refused.getMessage().contains(wrong));
            assertEquals(1, controller.requests().size(), "a refused login publishes nothing");
        }
        assertNoSecretLogged(token.secret(), wrong);
    }

    @Test
    void aSecondClaimantOfAPendingIdIsRefusedAndTheFirstKeepsItsCredentialAndIsAccepted() throws Exception {
        // the controller's rule: the first pending claim of an id holds it; another credential is refused
        Map<String, String> claims = new ConcurrentHashMap<>();
        controller.policy(r -> r.getCredential().equals(claims.computeIfAbsent(r.getDeviceId(), id -> r.getCredential()))
                ? Decision.pending() : Decision.rejected("device id " + r.getDeviceId() + " is already claimed"));
        Path firstState = tmp.resolve("first");
        try (EdgeAgent first = agent(firstState, token.text())) {
            first.start();
            EnrolmentRequest claim = controller.awaitRequest(1, WAIT);
            String before = Files.readString(firstState.resolve(Enrolment.FILE));

            try (EdgeAgent second = agent(tmp.resolve("second"), token.text())) {
                second.start();
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> second.enrolled().get(WAIT.toSeconds(), TimeUnit.SECONDS));
                assertEquals("enrolment of dev-1 was rejected by the controller: device id dev-1 is already claimed",
                        e.getCause().getMessage());
            }
            // the rejection on the shared retained topic named the second's request: the first ignores it
            Thread.sleep(1500);
            assertFalse(first.enrolled().isDone(), "the first claimant is still pending");
            assertEquals(before, Files.readString(firstState.resolve(Enrolment.FILE)), "its stored credential is untouched");

            allow(DEVICE, claim.getCredential());
            controller.answer(claim, Decision.accepted());
            first.enrolled().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            controller.awaitBirth(DEVICE, WAIT);
        }
    }
}
