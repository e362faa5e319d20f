package io.c2f.controller.broker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provisioning line an operator prints for a device is one the broker's credentials file accepts. */
class CredentialsLineTest {
    @TempDir
    Path dir;

    @Test
    void aPrintedLineLetsThatDeviceAndPasswordInAndNothingElse() throws Exception {
        String line = CredentialsLine.line("rpi-07", "s3cret-pw");
        assertFalse(line.contains("s3cret-pw"), "hashed: " + line);
        DeviceCredentials c = DeviceCredentials.load(Files.writeString(dir.resolve("devices.properties"), line + "\n"));
        assertTrue(c.check("rpi-07", "s3cret-pw".getBytes(StandardCharsets.UTF_8)));
        assertFalse(c.check("rpi-07", "other".getBytes(StandardCharsets.UTF_8)));
        assertFalse(c.check("rpi-08", "s3cret-pw".getBytes(StandardCharsets.UTF_8)));
    }
}
