package io.c2f.controller.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Refuses to start a listener that other machines can reach without authentication: the HTTP API
 * without operator tokens, or the embedded broker in anonymous mode. (Without a credentials file the
 * embedded broker still checks every login: it admits only enrolled devices and enrolment tokens'
 * bootstrap logins, both created through the API.) On loopback both
 * may stay open (development); beyond it the operator must say who may come in. The message names
 * the keys to set and where the docs are.
 */
public final class ExposureCheck {
    static final String DOCS = "see README.md, 'Running the controller safely on a network'";

    private ExposureCheck() {
    }

    /**
     * @param apiTokens whether operator tokens guard the HTTP API
     * @throws ConfigException naming every listener that would be exposed, and what to set for each
     */
    public static void require(ControllerConfig config, boolean apiTokens, BindAddress.Resolver resolver) {
        List<String> problems = new ArrayList<>();
        Optional<String> http = BindAddress.exposure("http.host", config.httpHost(), resolver);
        if (http.isPresent() && !apiTokens) {
            problems.add(http.get() + " but no API tokens are configured, so anyone there could control the fleet: "
                    + "set api.tokens.file (environment C2F_API_TOKENS_FILE) to a token file, or http.host=127.0.0.1");
        }
        if (config.embeddedBroker()) {
            Optional<String> broker = BindAddress.exposure("broker.host", config.brokerHost(), resolver);
            List<String> missing = new ArrayList<>();
            if (config.brokerAllowAnonymous()) {
                missing.add("broker.allow.anonymous=false");
            }
            if (broker.isPresent() && !missing.isEmpty()) {
                problems.add(broker.get() + " but the embedded broker would not check who connects: set "
                        + String.join(" and ", missing) + ", or broker.host=127.0.0.1, or use an external broker "
                        + "(mqtt.url)");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("refusing to start: " + String.join("; ", problems) + " (" + DOCS + ")");
        }
    }

    /** What crosses the network in clear text: tokens to a plain HTTP listener, passwords to a plain broker one. */
    public static List<String> cleartextWarnings(ControllerConfig config, BindAddress.Resolver resolver) {
        List<String> warnings = new ArrayList<>();
        if (!config.tls().httpTls() && BindAddress.exposure("http.host", config.httpHost(), resolver).isPresent()) {
            warnings.add("the HTTP API is reachable from other machines without TLS: bearer tokens cross the network "
                    + "in clear text (set http.tls.keystore or http.tls.cert/http.tls.key, or put a TLS proxy in front)");
        }
        if (config.embeddedBroker() && config.tls().brokerPlain()
                && BindAddress.exposure("broker.host", config.brokerHost(), resolver).isPresent()) {
            warnings.add("the embedded broker's plain listener is reachable from other machines: device passwords "
                    + "cross the network in clear text (set broker.tls.port and broker.plain.enabled=false)");
        }
        return warnings;
    }
}
