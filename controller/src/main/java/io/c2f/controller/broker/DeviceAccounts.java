package io.c2f.controller.broker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The devices the broker admits, as a live view: those of {@code broker.credentials.file} (fixed
 * at start) plus the enrolled ones the controller accepted, added and removed while the broker runs
 * (no restart). Read by logins on worker threads, changed from the controller's verticles: hence a
 * concurrent map. A file device cannot be replaced by an enrolment (its id is taken).
 */
final class DeviceAccounts {
    private final DeviceCredentials file;
    private final Map<String, String> enrolled = new ConcurrentHashMap<>();

    DeviceAccounts(DeviceCredentials file) {
        this.file = file;
    }

    /** Whether the id is a device's (file or enrolled): taken for enrolment and for bootstrap logins. */
    boolean knows(String deviceId) {
        return file.knows(deviceId) || enrolled.containsKey(deviceId);
    }

    /** Whether the id is one of the credentials file's (never changed by enrolment). */
    boolean inFile(String deviceId) {
        return file.knows(deviceId);
    }

    /** PBKDF2: call off the event loop. */
    boolean check(String deviceId, byte[] password) {
        if (file.knows(deviceId)) {
            return file.check(deviceId, password);
        }
        return DeviceCredentials.verify(deviceId == null ? null : enrolled.get(deviceId), password);
    }

    /** Makes an enrolled device's credential (its PBKDF2 hash) valid now; false when the id is a file device's. */
    boolean admit(String deviceId, String credentialHash) {
        if (file.knows(deviceId)) {
            return false;
        }
        enrolled.put(deviceId, credentialHash);
        return true;
    }

    /** Makes an enrolled device's credential invalid now; false when it had none. */
    boolean revoke(String deviceId) {
        return enrolled.remove(deviceId) != null;
    }
}
