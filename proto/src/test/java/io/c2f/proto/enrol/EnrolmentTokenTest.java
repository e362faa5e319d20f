package io.c2f.proto.enrol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.c2f.proto.v1.EnrolmentRequest;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class EnrolmentTokenTest {
    private final EnrolmentToken token = EnrolmentToken.generate("lab-2026", new SecureRandom());

    @Test
    void roundTripsThroughItsTextForm() {
        EnrolmentToken back = EnrolmentToken.parse("  " + token.text() + "\n");
        assertEquals(token, back);
        assertEquals("enrol.lab-2026", back.bootstrapUsername());
        assertEquals("lab-2026", EnrolmentToken.tokenIdOf("enrol.lab-2026"));
        assertFalse(EnrolmentToken.isBootstrapUsername("cam-042"));
        assertFalse(token.toString().contains(token.secret()), "toString leaks the secret");
    }

    @Test
    void badTokensAreRefusedWithoutQuotingTheSecret() {
        String secret = token.secret();
        for (String bad : new String[] {"", "no-dot-here", ".onlysecret", "id.", "bad id." + secret,
                "lab.short", "lab." + secret + "!"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EnrolmentToken.parse(bad),
                    bad);
            assertFalse(e.getMessage().contains(secret), e.getMessage());
        }
    }

    @Test
    void theProofBindsTheTokenTheDeviceAndTheCredential() {
        EnrolmentRequest r = EnrolmentRequest.newBuilder().setDeviceId("cam-042").setRequestId("r1")
                .setTokenId(token.tokenId()).setCredential("c".repeat(43)).build();
        EnrolmentRequest signed = r.toBuilder()
                .setTokenProof(ByteString.copyFrom(EnrolmentProof.compute("lab", r, token.secretSha256()))).build();
        assertTrue(EnrolmentProof.verify("lab", signed, token.secretSha256()));
        EnrolmentToken other = EnrolmentToken.generate("other", new SecureRandom());
        assertFalse(EnrolmentProof.verify("lab", signed, other.secretSha256()), "another token's key");
        assertFalse(EnrolmentProof.verify("prod", signed, token.secretSha256()), "another fleet");
        assertFalse(EnrolmentProof.verify("lab", signed.toBuilder().setDeviceId("cam-001").build(),
                token.secretSha256()), "another device id");
        assertFalse(EnrolmentProof.verify("lab", signed.toBuilder().setCredential("d".repeat(43)).build(),
                token.secretSha256()), "another credential");
        assertFalse(EnrolmentProof.verify("lab", r, token.secretSha256()), "no proof");
    }
}
