package io.c2f.agent.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.c2f.proto.testing.MosquittoBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A Mosquitto broker with the ACL the project ships ({@code deploy/mosquitto/c2f.acl}), a password
 * file made with {@code mosquitto_passwd}, no anonymous access, and three users: the controller
 * ({@code c2f-controller} / {@code ctl-pw}), {@code dev-1} / {@code pw1} and {@code dev-2} / {@code pw2}.
 * The test is skipped without the Mosquitto binaries.
 */
final class ShippedMosquitto {
    static final Path ACL = Path.of("../deploy/mosquitto/c2f.acl");

    private ShippedMosquitto() {
    }

    /** Starts it under {@code dir}; {@code extraConfig} lines go after the listener's own settings. */
    static MosquittoBroker start(Path dir, String extraConfig) throws Exception {
        assumeTrue(MosquittoBroker.available() && Files.isExecutable(Path.of("/usr/bin/mosquitto_passwd")));
        Path passwd = dir.resolve("passwd");
        boolean first = true;
        for (String[] u : List.of(new String[] {"c2f-controller", "ctl-pw"}, new String[] {"dev-1", "pw1"},
                new String[] {"dev-2", "pw2"})) {
            List<String> cmd = first ? List.of("mosquitto_passwd", "-c", "-b", passwd.toString(), u[0], u[1])
                    : List.of("mosquitto_passwd", "-b", passwd.toString(), u[0], u[1]);
            first = false;
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
        }
        Path acl = dir.resolve("c2f.acl");
        Files.copy(ACL, acl);
        // Mosquitto drops to its own user and must still read both files
        for (Path f : List.of(passwd, acl)) {
            f.toFile().setReadable(true, false);
        }
        dir.toFile().setExecutable(true, false);
        return MosquittoBroker.start(dir.resolve("broker"), "allow_anonymous false\npassword_file " + passwd
                + "\nacl_file " + acl + "\n" + extraConfig);
    }
}
