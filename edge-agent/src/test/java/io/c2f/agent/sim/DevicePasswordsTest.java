package io.c2f.agent.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.c2f.agent.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator's device password file: owner-only, one password per device, never echoed. */
class DevicePasswordsTest {
    @TempDir
    Path dir;

    private Path file(String perms) throws Exception {
        Path f = Files.writeString(dir.resolve("passwords.properties"), "sim-0000=pw-zero\nsim-0001 = pw-one\n");
        assumeTrue(Files.getFileStore(f).supportsFileAttributeView("posix"), "no POSIX permissions here");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        return f;
    }

    @Test
    void anOwnerOnlyFileGivesEachDeviceItsPassword() throws Exception {
        DevicePasswords p = DevicePasswords.load(file("rw-------"));
        assertEquals(Optional.of("pw-zero"), p.of("sim-0000"));
        assertEquals(Optional.of("pw-one"), p.of("sim-0001"));
        ConfigException e = assertThrows(ConfigException.class, () -> p.of("sim-0002"));
        assertEquals("the device password file has no password for sim-0002", e.getMessage());
        assertEquals(Optional.empty(), DevicePasswords.none().of("sim-0002"), "no file: no credentials");
    }

    @Test
    void aFileOthersCanReadIsRefusedWithoutShowingItsContent() throws Exception {
        Path f = file("rw-r--r--");
        ConfigException e = assertThrows(ConfigException.class, () -> DevicePasswords.load(f));
        assertTrue(e.getMessage().contains("can be read or written by other users"), e.getMessage());
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
        assertFalse(e.getMessage().contains("pw-zero"), e.getMessage());
    }
}
