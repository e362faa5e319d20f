package io.c2f.proto.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Mosquitto broker on a free loopback port, owned by one test: started, killed and
 * restarted on the same port at will. Needs the {@code mosquitto} binary (Debian package).
 */
public final class MosquittoBroker implements TestBroker {
    private final Path dir;
    private final int port;
    private final String extraConfig;
    private Process process;

    private MosquittoBroker(Path dir, int port, String extraConfig) {
        this.dir = dir;
        this.port = port;
        this.extraConfig = extraConfig;
    }

    public static MosquittoBroker start(Path dir) throws IOException, InterruptedException {
        return start(dir, "allow_anonymous true");
    }

    /**
     * Starts a broker; {@code listenerConfig} replaces the default "allow_anonymous true" after the
     * listener line (e.g. TLS files, a password file).
     */
    public static MosquittoBroker start(Path dir, String listenerConfig) throws IOException, InterruptedException {
        MosquittoBroker broker = new MosquittoBroker(dir, freePort(), listenerConfig);
        broker.restart();
        return broker;
    }

    public static boolean available() {
        for (String p : List.of("/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto")) {
            if (Files.isExecutable(Path.of(p))) {
                return true;
            }
        }
        return false;
    }

    private static String binary() {
        for (String p : List.of("/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return "mosquitto";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    /** The URI for a TLS listener (the certificate must name 127.0.0.1 or localhost). */
    public String tlsUri() {
        return "ssl://localhost:" + port;
    }

    /** (Re)starts the broker on the same port and waits until it accepts connections. */
    @Override
    public void restart() throws IOException, InterruptedException {
        stop();
        Path conf = dir.resolve("mosquitto-" + port + ".conf");
        Files.createDirectories(dir);
        Files.writeString(conf, "persistence false\n"
                // never drop queued QoS 1 messages in tests
                + "max_queued_messages 0\n"
                + "listener " + port + " 127.0.0.1\n"
                + extraConfig + "\n");
        process = new ProcessBuilder(binary(), "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto-" + port + ".log").toFile())
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("mosquitto exited with " + process.exitValue() + ", log: "
                        + Files.readString(dir.resolve("mosquitto-" + port + ".log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException("mosquitto did not listen on " + port + " within 10 s");
    }

    /** Kills the broker at once (no clean shutdown). */
    @Override
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
        process = null;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
