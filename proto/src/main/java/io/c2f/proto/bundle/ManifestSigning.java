package io.c2f.proto.bundle;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.Signature;
import io.c2f.proto.v1.SignedManifest;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;

/**
 * Signs and verifies bundle manifests with Ed25519. The signature covers the exact manifest bytes
 * carried in {@link SignedManifest#getManifest()}, so verification never re-serialises.
 */
public final class ManifestSigning {
    public static final String ALGORITHM = "Ed25519";

    private ManifestSigning() {
    }

    public static SignedManifest sign(BundleManifest manifest, KeyPair key) {
        byte[] bytes = manifest.toByteArray();
        try {
            java.security.Signature signer = java.security.Signature.getInstance(ALGORITHM);
            signer.initSign(key.getPrivate());
            signer.update(bytes);
            return SignedManifest.newBuilder().setManifest(ByteString.copyFrom(bytes))
                    .setSignature(Signature.newBuilder().setAlgorithm(ALGORITHM)
                            .setKeyId(Ed25519Keys.keyId(key.getPublic()))
                            .setValue(ByteString.copyFrom(signer.sign())))
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with " + ALGORITHM + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks the signature with the trusted key and returns the manifest it covers.
     *
     * @throws BundleVerificationException naming what did not verify
     */
    public static BundleManifest verify(SignedManifest signed, PublicKey trusted) throws BundleVerificationException {
        Signature sig = signed.getSignature();
        if (!ALGORITHM.equals(sig.getAlgorithm())) {
            throw new BundleVerificationException("manifest signature algorithm '" + sig.getAlgorithm()
                    + "' is not " + ALGORITHM);
        }
        String trustedId = Ed25519Keys.keyId(trusted);
        if (!trustedId.equals(sig.getKeyId())) {
            throw new BundleVerificationException("manifest is signed by key " + sig.getKeyId()
                    + ", this device trusts key " + trustedId);
        }
        boolean valid;
        try {
            java.security.Signature verifier = java.security.Signature.getInstance(ALGORITHM);
            verifier.initVerify(trusted);
            verifier.update(signed.getManifest().toByteArray());
            valid = verifier.verify(sig.getValue().toByteArray());
        } catch (GeneralSecurityException e) {
            throw new BundleVerificationException("manifest signature cannot be checked: " + e.getMessage(), e);
        }
        if (!valid) {
            throw new BundleVerificationException("manifest signature does not verify with key " + trustedId
                    + " (the manifest was altered or signed by another key)");
        }
        try {
            return BundleManifest.parseFrom(signed.getManifest());
        } catch (InvalidProtocolBufferException e) {
            throw new BundleVerificationException("signed manifest bytes are not a BundleManifest: " + e.getMessage(), e);
        }
    }
}
