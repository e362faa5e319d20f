package io.c2f.proto.bundle;

import com.google.protobuf.ByteString;
import io.c2f.proto.v1.Signature;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;

/** The one Ed25519 sign and verify of everything the controller signs (manifests, job orders). */
final class Ed25519Signatures {
    static final String ALGORITHM = "Ed25519";

    private Ed25519Signatures() {
    }

    static Signature sign(byte[] data, KeyPair key) {
        try {
            java.security.Signature signer = java.security.Signature.getInstance(ALGORITHM);
            signer.initSign(key.getPrivate());
            signer.update(data);
            return Signature.newBuilder().setAlgorithm(ALGORITHM).setKeyId(Ed25519Keys.keyId(key.getPublic()))
                    .setValue(ByteString.copyFrom(signer.sign())).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with " + ALGORITHM + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param what what was signed, named in errors ("manifest", "job order")
     * @throws BundleVerificationException naming what did not verify
     */
    static void verify(byte[] data, Signature sig, PublicKey trusted, String what) throws BundleVerificationException {
        if (!ALGORITHM.equals(sig.getAlgorithm())) {
            throw new BundleVerificationException(what + " signature algorithm '" + sig.getAlgorithm() + "' is not "
                    + ALGORITHM);
        }
        String trustedId = Ed25519Keys.keyId(trusted);
        if (!trustedId.equals(sig.getKeyId())) {
            throw new BundleVerificationException(what + " is signed by key " + sig.getKeyId()
                    + ", this device trusts key " + trustedId);
        }
        boolean valid;
        try {
            java.security.Signature verifier = java.security.Signature.getInstance(ALGORITHM);
            verifier.initVerify(trusted);
            verifier.update(data);
            valid = verifier.verify(sig.getValue().toByteArray());
        } catch (GeneralSecurityException e) {
            throw new BundleVerificationException(what + " signature cannot be checked: " + e.getMessage(), e);
        }
        if (!valid) {
            throw new BundleVerificationException(what + " signature does not verify with key " + trustedId
                    + " (the " + what + " was altered or signed by another key)");
        }
    }
}
