package io.c2f.controller.broker;

import io.c2f.proto.topic.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Prints a device's line for {@code broker.credentials.file}: {@code java -cp c2f-controller.jar
 * io.c2f.controller.broker.CredentialsLine DEVICE_ID < password-file}. The password is read from
 * standard input, never from the command line (which other users can see in the process list).
 */
public final class CredentialsLine {
    private CredentialsLine() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1 || !Topics.isValidId(args[0])) {
            System.err.println("usage: CredentialsLine DEVICE_ID < file-with-the-password   (device id: 1-64 of "
                    + "[A-Za-z0-9_.-]; prints DEVICE_ID=pbkdf2-sha256$... for broker.credentials.file)");
            System.exit(2);
        }
        String password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (password == null || password.isBlank()) {
            System.err.println("no password on standard input");
            System.exit(2);
        }
        System.out.println(line(args[0], password.strip()));
    }

    /** {@code deviceId=pbkdf2-sha256$...}: the device's line for the credentials file. */
    static String line(String deviceId, String password) {
        return deviceId + "=" + DeviceCredentials.hash(password.toCharArray());
    }
}
