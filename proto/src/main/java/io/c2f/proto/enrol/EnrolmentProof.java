package io.c2f.proto.enrol;

import io.c2f.proto.v1.EnrolmentRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code token_proof} of an {@link EnrolmentRequest}: HMAC-SHA256 keyed with the token's
 * {@link EnrolmentToken#secretSha256() secret hash} over the fleet and the request's identifying
 * fields. The broker's bootstrap login proves the device holds <em>a</em> token; this proves it holds
 * the one {@code token_id} names (so a device cannot claim another token's labels or auto-accept),
 * and binds the credential to it (a replayed proof does not fit another credential or device id).
 */
public final class EnrolmentProof {
    private static final String CONTEXT = "c2f-enrol-v1";

    private EnrolmentProof() {
    }

    /** The proof for a request (its token_proof field is ignored). */
    public static byte[] compute(String fleet, EnrolmentRequest request, String secretSha256) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(HexFormat.of().parseHex(secretSha256), "HmacSHA256"));
            for (String field : new String[] {CONTEXT, fleet, request.getDeviceId(), request.getRequestId(),
                    request.getTokenId(), request.getCredential()}) {
                byte[] b = field.getBytes(StandardCharsets.UTF_8);
                // length-prefixed, so field boundaries cannot be shifted
                mac.update(new byte[] {(byte) (b.length >>> 24), (byte) (b.length >>> 16), (byte) (b.length >>> 8),
                        (byte) b.length});
                mac.update(b);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    /** Whether the request's token_proof is right for the token whose secret hash is given (constant time). */
    public static boolean verify(String fleet, EnrolmentRequest request, String secretSha256) {
        return MessageDigest.isEqual(compute(fleet, request, secretSha256), request.getTokenProof().toByteArray());
    }
}
