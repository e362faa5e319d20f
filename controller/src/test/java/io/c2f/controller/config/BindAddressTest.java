package io.c2f.controller.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which configured hosts keep a listener on this machine. */
class BindAddressTest {
    private static Optional<String> exposure(String host) {
        return BindAddress.exposure("http.host", host, BindAddress.SYSTEM);
    }

    @Test
    void loopbackAddressesAndLocalhostStayOnThisMachine() {
        assertEquals(Optional.empty(), exposure("127.0.0.1"));
        assertEquals(Optional.empty(), exposure("127.0.0.2"));
        assertEquals(Optional.empty(), exposure("::1"));
        assertEquals(Optional.empty(), exposure("localhost"));
    }

    @Test
    void wildcardAndLanAddressesReachOtherMachines() {
        assertEquals(Optional.of("http.host '0.0.0.0' listens on every network interface"), exposure("0.0.0.0"));
        assertEquals(Optional.of("http.host '::' listens on every network interface"), exposure("::"));
        assertEquals(Optional.of("http.host '192.168.7.20' listens on [192.168.7.20], reachable from other machines"),
                exposure("192.168.7.20"));
        assertTrue(exposure("10.0.0.1").isPresent());
    }

    @Test
    void aHostNameWithAnyNonLoopbackAddressReachesOtherMachines() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        InetAddress lan = InetAddress.getByName("10.1.2.3");
        BindAddress.Resolver dns = host -> switch (host) {
            case "ctl.example" -> new InetAddress[] {loopback, lan};
            case "local.example" -> new InetAddress[] {loopback};
            default -> throw new UnknownHostException(host);
        };
        assertEquals(Optional.of("broker.host 'ctl.example' listens on [10.1.2.3], reachable from other machines"),
                BindAddress.exposure("broker.host", "ctl.example", dns));
        assertEquals(Optional.empty(), BindAddress.exposure("broker.host", "local.example", dns));
        ConfigException e = assertThrows(ConfigException.class,
                () -> BindAddress.exposure("broker.host", "nowhere.example", dns));
        assertEquals("broker.host 'nowhere.example' does not resolve: name an address of this machine", e.getMessage());
    }
}
