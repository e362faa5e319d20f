package io.c2f.controller.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Whether a listener's configured host keeps it on this machine. A host is loopback only when
 * every address it resolves to is a loopback address: {@code 0.0.0.0} and {@code ::} (every
 * interface), a LAN address, and a host name with any non-loopback address all reach further.
 */
public final class BindAddress {
    /** Host name resolution, replaceable in tests (names that resolve to LAN addresses need a DNS). */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    public static final Resolver SYSTEM = InetAddress::getAllByName;

    private BindAddress() {
    }

    /**
     * Why {@code host} can be reached from other machines, or empty when it cannot. Blocking (it may
     * ask the name service).
     *
     * @param key the config key, for the error message when the host does not resolve
     * @throws ConfigException when the host does not resolve
     */
    public static Optional<String> exposure(String key, String host, Resolver resolver) {
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new ConfigException(key + " '" + host + "' does not resolve: name an address of this machine");
        }
        List<InetAddress> beyond = Arrays.stream(addresses).filter(a -> !a.isLoopbackAddress()).toList();
        if (beyond.isEmpty()) {
            return Optional.empty();
        }
        if (beyond.stream().anyMatch(InetAddress::isAnyLocalAddress)) {
            return Optional.of(key + " '" + host + "' listens on every network interface");
        }
        return Optional.of(key + " '" + host + "' listens on " + beyond.stream().map(InetAddress::getHostAddress)
                .distinct().toList() + ", reachable from other machines");
    }
}
