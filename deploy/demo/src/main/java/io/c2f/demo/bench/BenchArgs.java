package io.c2f.demo.bench;

import java.util.HashMap;
import java.util.Map;

/** The benchmarks' command lines: {@code --key=value} arguments. */
final class BenchArgs {
    private BenchArgs() {
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=")) {
                throw new IllegalArgumentException("arguments look like --key=value, got '" + a + "'");
            }
            opts.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        return opts;
    }
}
