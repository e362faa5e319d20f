package io.c2f.proto.bundle;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.c2f.proto.v1.BundleManifest;
import io.c2f.proto.v1.SignedManifest;
import java.security.KeyPair;
import java.security.PublicKey;

/**
 * Signs and verifies bundle manifests with Ed25519. The signature covers the exact manifest bytes
 * carried in {@link SignedManifest#getManifest()}, so verification never re-serialises.
 */
public final class ManifestSigning {
    public static final String ALGORITHM = Ed25519Signatures.ALGORITHM;

    private ManifestSigning() {
    }

    public static SignedManifest sign(BundleManifest manifest, KeyPair key) {
        byte[] bytes = manifest.toByteArray();
        return SignedManifest.newBuilder().setManifest(ByteString.copyFrom(bytes))
                .setSignature(Ed25519Signatures.sign(bytes, key)).build();
    }

    /**
     * Checks the signature with the trusted key and returns the manifest it covers.
     *
     * @throws BundleVerificationException naming what did not verify
     */
    public static BundleManifest verify(SignedManifest signed, PublicKey trusted) throws BundleVerificationException {
        Ed25519Signatures.verify(signed.getManifest().toByteArray(), signed.getSignature(), trusted, "manifest");
        try {
            return BundleManifest.parseFrom(signed.getManifest());
        } catch (InvalidProtocolBufferException e) {
            throw new BundleVerificationException("signed manifest bytes are not a BundleManifest: " + e.getMessage(), e);
        }
    }
}
