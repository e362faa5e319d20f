package io.c2f.agent.enrol;

import io.c2f.agent.enrol.EnrolmentRecord.Status;
import io.c2f.agent.fs.OwnerOnlyFiles;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The device's enrolment on disk ({@code {state}/enrolment.properties}): owner-only (0600 from the
 * moment it exists), written atomically, and written before the credential in it is ever sent. A file
 * other users can read or write is refused (its credential may have leaked: enrol again), as is one
 * that does not parse; neither error quotes the file's content.
 */
public final class EnrolmentStore {
    /** As the wire contract requires: at least 32 random bytes, base64url. */
    private static final Pattern CREDENTIAL = Pattern.compile("[A-Za-z0-9_-]{43,128}");
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private final Path file;

    public EnrolmentStore(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The stored enrolment, or empty when this device never asked to enrol. */
    public Optional<EnrolmentRecord> load() throws IOException {
        Set<PosixFilePermission> open;
        try {
            open = OwnerOnlyFiles.openToOthers(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (!open.isEmpty()) {
            throw new IOException("enrolment file " + file + " can be read or written by other users " + open
                    + ": its credential may be known to them; delete the file to enrol again with a new credential");
        }
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        String device = p.getProperty("device.id", "");
        String token = p.getProperty("token.id", "");
        String request = p.getProperty("request.id", "");
        String credential = p.getProperty("credential", "");
        String status = p.getProperty("status", "");
        if (device.isEmpty() || token.isEmpty() || !REQUEST_ID.matcher(request).matches()
                || !CREDENTIAL.matcher(credential).matches()
                || !(status.equals(Status.PENDING.name()) || status.equals(Status.ACCEPTED.name()))) {
            throw new IOException("enrolment file " + file + " is damaged (expected device.id, token.id, request.id, "
                    + "a credential of 43-128 base64url characters and status PENDING or ACCEPTED): delete it to enrol "
                    + "again");
        }
        return Optional.of(new EnrolmentRecord(device, token, request, credential, Status.valueOf(status)));
    }

    public void save(EnrolmentRecord r) throws IOException {
        Properties p = new Properties();
        p.setProperty("device.id", r.deviceId());
        p.setProperty("token.id", r.tokenId());
        p.setProperty("request.id", r.requestId());
        p.setProperty("credential", r.credential());
        p.setProperty("status", r.status().name());
        StringWriter w = new StringWriter();
        p.store(w, "c2f device enrolment: the credential is this device's broker password; keep this file owner-only");
        OwnerOnlyFiles.write(file, w.toString().getBytes(StandardCharsets.UTF_8));
    }
}
