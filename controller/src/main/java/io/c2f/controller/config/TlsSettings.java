package io.c2f.controller.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * TLS of the three endpoints, all optional. Key stores are PKCS12 ({@code .p12}, {@code .pfx}) or
 * JKS (any other name); certificates and keys may also be PEM files (HTTP only).
 *
 * @param brokerPort the embedded broker's TLS listener ({@code ssl://}); 0: none
 * @param brokerKeystore its key and certificate (a key store with one private key entry)
 * @param brokerKeystorePassword password of that key store and of its key
 * @param brokerPlain whether the embedded broker keeps its plain {@code broker.port} listener; false
 *     needs the TLS one (the controller then connects to it over TLS as well)
 * @param mqttTruststore certificates the controller trusts for an {@code ssl://} broker; empty: the
 *     JVM's default CAs (or, for its own embedded broker, the broker's key store)
 * @param mqttTruststorePassword its password
 * @param httpKeystore key store of the HTTP API's TLS; empty: see {@code httpCert}
 * @param httpKeystorePassword its password
 * @param httpCert PEM certificate (chain) of the HTTP API's TLS; empty with an empty key store: plain HTTP
 * @param httpKey PEM private key (PKCS8 or PKCS1) for {@code httpCert}
 */
public record TlsSettings(
        int brokerPort,
        String brokerKeystore,
        String brokerKeystorePassword,
        boolean brokerPlain,
        String mqttTruststore,
        String mqttTruststorePassword,
        String httpKeystore,
        String httpKeystorePassword,
        String httpCert,
        String httpKey) {

    public static final TlsSettings NONE = new TlsSettings(0, "", "", true, "", "", "", "", "", "");

    public TlsSettings {
        if (brokerPort < 0 || brokerPort > 65535) {
            throw new ConfigException("broker.tls.port " + brokerPort + " must be 0 (no TLS listener) or 1..65535");
        }
        if (brokerPort > 0) {
            requireFile("broker.tls.keystore", brokerKeystore, "broker.tls.port is set");
            if (brokerKeystorePassword.isEmpty()) {
                throw new ConfigException("broker.tls.keystore.password must be set: the embedded broker cannot "
                        + "open a key store without a password");
            }
        }
        if (!brokerPlain && brokerPort == 0) {
            throw new ConfigException("broker.plain.enabled=false needs broker.tls.port: the broker would have no "
                    + "listener at all");
        }
        if (!mqttTruststore.isEmpty()) {
            requireFile("mqtt.tls.truststore", mqttTruststore, "it is set");
        }
        if (!httpKeystore.isEmpty() && (!httpCert.isEmpty() || !httpKey.isEmpty())) {
            throw new ConfigException("set either http.tls.keystore or http.tls.cert + http.tls.key, not both");
        }
        if (!httpKeystore.isEmpty()) {
            requireFile("http.tls.keystore", httpKeystore, "it is set");
        }
        if (httpCert.isEmpty() != httpKey.isEmpty()) {
            throw new ConfigException("http.tls.cert and http.tls.key go together (PEM certificate and its key)");
        }
        if (!httpCert.isEmpty()) {
            requireFile("http.tls.cert", httpCert, "it is set");
            requireFile("http.tls.key", httpKey, "it is set");
        }
    }

    public boolean brokerTls() {
        return brokerPort > 0;
    }

    public boolean httpTls() {
        return !httpKeystore.isEmpty() || !httpCert.isEmpty();
    }

    /** PKCS12 or JKS, from the file name. */
    public static String keystoreType(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        return lower.endsWith(".p12") || lower.endsWith(".pfx") ? "pkcs12" : "jks";
    }

    private static void requireFile(String key, String path, String why) {
        if (path.isEmpty()) {
            throw new ConfigException(key + " must be set when " + why);
        }
        if (!Files.isRegularFile(Path.of(path))) {
            throw new ConfigException(key + " '" + path + "' does not exist or is not a file");
        }
    }

    @Override
    public String toString() {
        // never print passwords
        return "TlsSettings[broker=" + (brokerTls() ? brokerPort + (brokerPlain ? " (+plain)" : " only") : "off")
                + ", mqttTruststore=" + (mqttTruststore.isEmpty() ? "default" : mqttTruststore)
                + ", http=" + (httpTls() ? "on" : "off") + "]";
    }
}
