package io.c2f.agent.sim;

import io.c2f.agent.config.ConfigException;
import io.c2f.agent.fs.OwnerOnlyFiles;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * The broker passwords of simulated devices: a properties file {@code deviceId=password}, readable
 * by its owner only (like an SSH key: a file others can read is refused, since anyone who reads it
 * can act as every device in it). Each simulated device logs in with its id as user name.
 */
public final class DevicePasswords {
    private final Map<String, String> passwords;

    private DevicePasswords(Map<String, String> passwords) {
        this.passwords = Map.copyOf(passwords);
    }

    /** No file: the devices connect without credentials (a broker that allows it). */
    public static DevicePasswords none() {
        return new DevicePasswords(Map.of());
    }

    public static DevicePasswords load(Path file) throws ConfigException {
        try {
            Set<PosixFilePermission> open = OwnerOnlyFiles.openToOthers(file);
            if (!open.isEmpty()) {
                throw new ConfigException("device password file " + file + " can be read or written by other users "
                        + open + ": make it owner-only (chmod 600)");
            }
        } catch (IOException e) {
            throw new ConfigException("device password file " + file + " cannot be read: " + e.getMessage(), e);
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("device password file " + file + " cannot be read as deviceId=password lines", e);
        }
        Map<String, String> m = new HashMap<>();
        p.stringPropertyNames().forEach(id -> m.put(id, p.getProperty(id).strip()));
        return new DevicePasswords(m);
    }

    public boolean isEmpty() {
        return passwords.isEmpty();
    }

    /**
     * The password of a device; empty when the file gives none (then it connects without).
     *
     * @throws ConfigException when there is a file and it names no password for this device
     */
    public Optional<String> of(String deviceId) throws ConfigException {
        String pw = passwords.get(deviceId);
        if (pw == null && !passwords.isEmpty()) {
            throw new ConfigException("the device password file has no password for " + deviceId);
        }
        return Optional.ofNullable(pw);
    }
}
