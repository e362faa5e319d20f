package io.c2f.agent.sim;

import io.c2f.agent.core.EdgeAgent;
import io.c2f.agent.bundle.BundleOpenException;
import io.c2f.agent.bundle.InstalledSlot;
import io.c2f.agent.config.AgentConfig;
import io.c2f.agent.config.ConfigException;
import io.c2f.agent.engine.ModelEngine;
import io.c2f.agent.engine.ModelSession;
import io.c2f.agent.link.mqtt.MqttTransport;
import io.c2f.agent.threads.SharedThreads;
import io.c2f.models.synthetic.SyntheticDenoiser;
import io.c2f.proto.enrol.EnrolmentToken;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many simulated devices in one JVM. Each is a full {@link EdgeAgent} (same session, bundle,
 * job, generation and telemetry code as a real device, its own MQTT connection and state
 * directory); only the model is a {@link SyntheticDenoiser} whose speed the simulator sets per
 * device and can change while running (a device getting slower). Agent keys the simulator does not
 * set per device (id, fleet, broker, labels, state, login) come from {@code c2f.*} JVM system
 * properties, as on a real agent, and apply to every device.
 *
 * <p>The devices share their threads ({@link SharedThreads}: bounded pools, one timer, and by default
 * one Netty event loop for every device's MQTT connection, so a device costs no thread of its own;
 * {@link MqttTransport#PAHO} gives each the real agent's Paho client, three threads per connected
 * device) and the models they install ({@link SharedModels}: one copy per bundle). Each device's
 * parts still run their tasks in order, one at a time, as on a real device.
 */
public final class FleetSimulator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetSimulator.class);

    /** One simulated device, its labels and its speed knob. */
    public record SimulatedDevice(String id, Map<String, String> labels, EdgeAgent agent, DeviceSpeed speed) {
        public SimulatedDevice {
            labels = Map.copyOf(labels);
        }

        /** Multiplies the device's cost per MAC (2 = twice as slow). */
        public void slowDown(double factor) {
            speed.slowDown(factor);
        }
    }

    /**
     * How the fleet looks.
     *
     * @param brokerUrl the broker
     * @param fleet fleet id
     * @param prefix device ids are prefix-0000, prefix-0001, ...
     * @param count number of devices
     * @param baseNanosPerMegaMac median cost of a million MACs (e.g. 100_000 ns = 10 GMAC/s)
     * @param spread devices' speeds are log-uniform in [base / spread, base * spread]
     * @param probeFailureRate probability that a device fails the health probe of a new bundle
     * @param forwardFailureRate probability that one forward pass of a device's model fails
     * @param seed for the speeds and failures, so a run can be repeated
     * @param stateRoot each device keeps its state under stateRoot/id
     */
    public record Plan(String brokerUrl, String fleet, String prefix, int count, long baseNanosPerMegaMac,
            double spread, double probeFailureRate, double forwardFailureRate, long seed, Path stateRoot) {
        public Plan {
            if (count < 1 || count > 10_000) {
                throw new IllegalArgumentException("device count must be 1..10000, got " + count);
            }
            if (spread < 1) {
                throw new IllegalArgumentException("speed spread must be >= 1, got " + spread);
            }
            if (probeFailureRate < 0 || probeFailureRate > 1) {
                throw new IllegalArgumentException("probe failure rate must be in [0, 1], got " + probeFailureRate);
            }
            if (forwardFailureRate < 0 || forwardFailureRate > 1) {
                throw new IllegalArgumentException("forward failure rate must be in [0, 1], got " + forwardFailureRate);
            }
        }
    }

    private final List<SimulatedDevice> devices = new ArrayList<>();
    private final SharedThreads threads;
    private final boolean ownsThreads;
    private final SharedModels models = new SharedModels();

    public FleetSimulator(Plan plan, PublicKey controllerKey) throws IOException, ConfigException {
        this(plan, controllerKey, DevicePasswords.none());
    }

    /** A fleet whose devices log in to the broker with their id and their password from {@code passwords}. */
    public FleetSimulator(Plan plan, PublicKey controllerKey, DevicePasswords passwords)
            throws IOException, ConfigException {
        this(plan, controllerKey, passwords, null);
    }

    /**
     * A fleet whose devices enrol themselves with a fleet enrolment token (as a real agent does with
     * {@code c2f.enrol.token}), or log in with {@code passwords} when {@code enrolToken} is null.
     */
    public FleetSimulator(Plan plan, PublicKey controllerKey, DevicePasswords passwords, EnrolmentToken enrolToken)
            throws IOException, ConfigException {
        this(plan, controllerKey, passwords, enrolToken, MqttTransport.NETTY);
    }

    /** As the constructor above, the devices on {@code transport} (Netty, or Paho as a real device). */
    public FleetSimulator(Plan plan, PublicKey controllerKey, DevicePasswords passwords, EnrolmentToken enrolToken,
            MqttTransport transport) throws IOException, ConfigException {
        this(plan, controllerKey, passwords, enrolToken, SharedThreads.forSimulator(transport), true);
    }

    /** As the other constructors, on pools the caller sized (and closes after this simulator). */
    public FleetSimulator(Plan plan, PublicKey controllerKey, DevicePasswords passwords, EnrolmentToken enrolToken,
            SharedThreads threads) throws IOException, ConfigException {
        this(plan, controllerKey, passwords, enrolToken, threads, false);
    }

    private FleetSimulator(Plan plan, PublicKey controllerKey, DevicePasswords passwords, EnrolmentToken enrolToken,
            SharedThreads threads, boolean ownsThreads) throws IOException, ConfigException {
        this.threads = threads;
        this.ownsThreads = ownsThreads;
        try {
            addDevices(plan, controllerKey, passwords, enrolToken);
        } catch (IOException | ConfigException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void addDevices(Plan plan, PublicKey controllerKey, DevicePasswords passwords, EnrolmentToken enrolToken)
            throws IOException, ConfigException {
        if (enrolToken != null && !passwords.isEmpty()) {
            throw new ConfigException("simulated devices either enrol with a token or log in with a password file, "
                    + "not both");
        }
        SplittableRandom random = new SplittableRandom(plan.seed());
        for (int i = 0; i < plan.count(); i++) {
            String id = String.format("%s-%04d", plan.prefix(), i);
            double speed = Math.exp((random.nextDouble() * 2 - 1) * Math.log(plan.spread()));
            DeviceSpeed cost = new DeviceSpeed(Math.max(1, Math.round(plan.baseNanosPerMegaMac() * speed)));
            boolean failsProbes = random.nextDouble() < plan.probeFailureRate();
            ModelEngine engine = failsProbes ? new FaultyEngine()
                    : new SimulatedEngine(cost::nanosPerMegaMac, plan.forwardFailureRate(), plan.seed() * 31 + i, models);
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("sim", "true");
            labels.put("speed", speed < 0.8 ? "fast" : speed > 1.25 ? "slow" : "mid");
            Properties p = new Properties();
            p.setProperty("c2f.fleet", plan.fleet());
            p.setProperty("c2f.device.id", id);
            p.setProperty("c2f.broker.url", plan.brokerUrl());
            p.setProperty("c2f.labels", "sim=true,speed=" + labels.get("speed"));
            p.setProperty("c2f.state.dir", plan.stateRoot().resolve(id).toString());
            Optional<String> password = passwords.of(id);
            if (password.isPresent()) {
                p.setProperty("c2f.broker.username", id);
                p.setProperty("c2f.broker.password", password.get());
            }
            if (enrolToken != null) {
                p.setProperty("c2f.enrol.token", enrolToken.text());
            }
            // the agent's other keys as JVM system properties, as a real agent takes them (-Dc2f.telemetry.interval=10s)
            for (String key : System.getProperties().stringPropertyNames()) {
                if (key.startsWith("c2f.") && p.getProperty(key) == null) {
                    p.setProperty(key, System.getProperty(key));
                }
            }
            // a host of simulated devices spent most of its CPU in their spools' file operations, which the
            // controller never sees: spools are held in memory (written out when the simulator closes) unless told
            p.putIfAbsent("c2f.telemetry.spool.durability", "memory");
            AgentConfig config = AgentConfig.from(p, plan.stateRoot());
            devices.add(new SimulatedDevice(id, labels, new EdgeAgent(config, engine, controllerKey, Clock.systemUTC(),
                    threads),
                    cost));
        }
    }

    /** Connects every device, spread over a short ramp so the broker is not hit all at once. */
    public void start() throws InterruptedException {
        ArrayDeque<Connecting> connecting = new ArrayDeque<>();
        for (SimulatedDevice d : devices) {
            d.agent().start();
            connecting.add(new Connecting(d, System.nanoTime() + CONNECT_WAIT_NANOS));
            // a connect holds a shared link thread until the broker answers, and the lanes' tasks queue in
            // one pool: thousands of connects queued at once kept the heartbeats of devices already online
            // waiting past their timeout (a 10,000-device run lost 6,000 to HEARTBEAT_TIMEOUT). So only
            // CONNECTING_AT_ONCE devices connect at a time; one that takes too long stops counting.
            while (connecting.size() >= CONNECTING_AT_ONCE) {
                long now = System.nanoTime();
                connecting.removeIf(c -> c.device().agent().isOnline() || now > c.giveUpAt());
                if (connecting.size() >= CONNECTING_AT_ONCE) {
                    Thread.sleep(2);
                }
            }
        }
    }

    /** Devices closed side by side, and how long closing the fleet may take. */
    private static final int CLOSING_AT_ONCE = 64;
    private static final long CLOSE_WAIT_SECONDS = 30;

    /** Devices connecting at the same time at most while the fleet starts. */
    static final int CONNECTING_AT_ONCE = 16;
    private static final long CONNECT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private record Connecting(SimulatedDevice device, long giveUpAt) {
    }

    public List<SimulatedDevice> devices() {
        return List.copyOf(devices);
    }

    public long online() {
        return devices.stream().filter(d -> d.agent().isOnline()).count();
    }

    /** The models the devices installed, one copy per bundle. */
    public SharedModels models() {
        return models;
    }

    /** The pools the devices run on. */
    public SharedThreads threads() {
        return threads;
    }

    @Override
    public void close() {
        // a device's close waits for its death message and disconnect (up to 5 s, when the broker is gone):
        // one after the other, 2,000 devices kept a simulator process alive for hours after its parent ended
        ExecutorService closers = Executors.newFixedThreadPool(
                Math.max(1, Math.min(CLOSING_AT_ONCE, devices.size())), r -> {
                    Thread t = new Thread(r, "c2f-sim-close");
                    t.setDaemon(true);
                    return t;
                });
        for (SimulatedDevice d : devices) {
            closers.execute(() -> {
                try {
                    d.agent().close();
                } catch (InterruptedException | RuntimeException e) {
                    LOG.debug("closing {}: {}", d.id(), e.toString());
                }
            });
        }
        closers.shutdown();
        boolean interrupted = false;
        try {
            if (!closers.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("not every simulated device closed within {} s; leaving the rest", CLOSE_WAIT_SECONDS);
                closers.shutdownNow();
            }
        } catch (InterruptedException e) {
            interrupted = true;
            closers.shutdownNow();
        }
        if (ownsThreads) {
            threads.close();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A device on which no bundle loads: its installs fail at the health probe, with the reason. */
    private static final class FaultyEngine implements ModelEngine {
        @Override
        public ModelSession open(InstalledSlot slot) throws BundleOpenException {
            throw new BundleOpenException("simulated fault: the model does not load on this device");
        }
    }
}
