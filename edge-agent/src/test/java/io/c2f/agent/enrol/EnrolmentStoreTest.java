package io.c2f.agent.enrol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.agent.config.AgentConfig;
import io.c2f.agent.config.ConfigException;
import io.c2f.proto.enrol.EnrolmentToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stored enrolment and the decisions made from it at start, no broker needed. */
class EnrolmentStoreTest {
    @TempDir
    Path dir;
    private final EnrolmentToken token = EnrolmentToken.generate("tok1", new SecureRandom());

    private AgentConfig config(String device, String tokenText) throws ConfigException {
        Properties p = new Properties();
        p.setProperty("c2f.fleet", "t");
        p.setProperty("c2f.device.id", device);
        p.setProperty("c2f.broker.url", "tcp://127.0.0.1:1883");
        if (tokenText != null) {
            p.setProperty("c2f.enrol.token", tokenText);
        }
        return AgentConfig.from(p, dir);
    }

    @Test
    void aStoredCredentialOpenToOthersOrDamagedIsRefusedWithoutQuotingIt() throws Exception {
        Enrolment e = Enrolment.open(config("cam-1", token.text()), new SecureRandom()).orElseThrow();
        Path file = dir.resolve("state").resolve(Enrolment.FILE);
        String credential = e.record().credential();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        IOException open = assertThrows(IOException.class, () -> Enrolment.open(config("cam-1", token.text()),
                new SecureRandom()));
        assertTrue(open.getMessage().contains("can be read or written by other users"), open.getMessage());
        assertFalse(open.getMessage().contains(credential));

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(file, Files.readString(file).replace(credential, credential.substring(0, 10)));
        IOException damaged = assertThrows(IOException.class, () -> Enrolment.open(config("cam-1", token.text()),
                new SecureRandom()));
        assertTrue(damaged.getMessage().contains("is damaged"), damaged.getMessage());
        assertFalse(damaged.getMessage().contains(credential.substring(0, 10)));
    }

    @Test
    void aPendingEnrolmentIsResumedAnAcceptedOneNeedsNoTokenAndAnotherDevicesIsRefused() throws Exception {
        EnrolmentRecord first = Enrolment.open(config("cam-1", token.text()), new SecureRandom()).orElseThrow().record();
        EnrolmentRecord again = Enrolment.open(config("cam-1", token.text()), new SecureRandom()).orElseThrow().record();
        assertEquals(first, again, "a restart resumes the same request with the same credential");

        ConfigException gone = assertThrows(ConfigException.class, () -> Enrolment.open(config("cam-1", null),
                new SecureRandom()));
        assertTrue(gone.getMessage().contains("pending enrolment with token 'tok1'"), gone.getMessage());
        ConfigException other = assertThrows(ConfigException.class, () -> Enrolment.open(config("cam-2", token.text()),
                new SecureRandom()));
        assertTrue(other.getMessage().contains("holds the enrolment of device 'cam-1'"), other.getMessage());

        new EnrolmentStore(dir.resolve("state").resolve(Enrolment.FILE)).save(first.accepted());
        Enrolment accepted = Enrolment.open(config("cam-1", null), new SecureRandom()).orElseThrow();
        assertTrue(accepted.accepted(), "an accepted device logs in with its credential, no token needed");
    }
}
