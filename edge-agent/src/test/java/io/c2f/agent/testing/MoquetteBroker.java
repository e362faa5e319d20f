package io.c2f.agent.testing;

import io.c2f.proto.testing.TestBroker;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * Moquette in-process, configured as the controller's embedded broker is (no phoning home,
 * loopback, 16 MiB messages, deep session queues), so agent tests cover the zero-setup broker too.
 */
public final class MoquetteBroker implements TestBroker {
    private final Path dir;
    private final int port;
    private Server server;

    private MoquetteBroker(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static MoquetteBroker start(Path dir) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        MoquetteBroker broker = new MoquetteBroker(dir, port);
        broker.restart();
        return broker;
    }

    @Override
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void restart() throws IOException {
        stop();
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", Integer.toString(port));
        p.setProperty("websocket_port", "disabled");
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("data_path", dir.toAbsolutePath().toString());
        p.setProperty("netty.mqtt.message_size", Integer.toString(16 * 1024 * 1024 + 65536));
        p.setProperty("session_queue_size", "65536");
        p.setProperty("allow_anonymous", "true");
        server = new Server();
        server.startServer(new MemoryConfig(p), List.of());
        long deadline = System.nanoTime() + 10_000_000_000L;
        // wait until the port accepts connections; Server.getPort() reads a HashMap the acceptor's thread
        // is still writing while it binds (a ConcurrentModificationException under load)
        while (!accepts(port) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    private static boolean accepts(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (java.io.IOException notYet) {
            return false;
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stopServer();
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
