package io.c2f.agent.telemetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.proto.v1.GenerationRecord;
import io.c2f.proto.v1.Telemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TelemetrySpoolTest {
    @TempDir
    Path dir;

    private static Telemetry record(String requestId) {
        return Telemetry.newBuilder().setDeviceId("dev-1")
                .setGeneration(GenerationRecord.newBuilder().setRequestId(requestId).setTotalMillis(12.5)).build();
    }

    @Test
    void recordsComeOutInOrderWithIncreasingSeq() throws Exception {
        TelemetrySpool spool = new TelemetrySpool(dir, 10);
        assertEquals(1, spool.append(record("a")));
        assertEquals(2, spool.append(record("b")));
        Telemetry head = spool.peek().orElseThrow();
        assertEquals("a", head.getGeneration().getRequestId());
        assertEquals(1, head.getTelemetrySeq());
        spool.acknowledge(1);
        assertEquals("b", spool.peek().orElseThrow().getGeneration().getRequestId());
        spool.acknowledge(2);
        assertTrue(spool.peek().isEmpty());
    }

    /**
     * Every durability writes the same files: a reopened spool (the agent restarted; MEMORY after a
     * graceful close) finds every record, byte for byte as the fsynced spool holds it.
     */
    @ParameterizedTest
    @EnumSource(SpoolDurability.class)
    void everyDurabilityLeavesTheSameFilesAndSurvivesARestart(SpoolDurability durability) throws Exception {
        Path synced = dir.resolve("synced");
        Path other = dir.resolve("other");
        TelemetrySpool a = new TelemetrySpool(synced, 3, SpoolDurability.FSYNC);
        TelemetrySpool b = new TelemetrySpool(other, 3, durability);
        for (int i = 0; i < 5; i++) {
            a.append(record("r" + i));
            b.append(record("r" + i));
        }
        a.acknowledge(a.peek().orElseThrow().getTelemetrySeq());
        b.acknowledge(b.peek().orElseThrow().getTelemetrySeq());
        b.append(record("r5"));
        b.close();
        try (var files = Files.list(other)) {
            assertEquals(List.of("00000000000000000004.tlm", "00000000000000000005.tlm", "00000000000000000006.tlm",
                    "dropped", "next-seq"), files.map(f -> f.getFileName().toString()).sorted().toList(),
                    "no temp file left, names sort as seqs");
        }
        TelemetrySpool reopened = new TelemetrySpool(other, 3, durability);
        assertEquals(3, reopened.size());
        assertEquals(7, reopened.nextSeq());
        Telemetry head = reopened.peek().orElseThrow();
        assertEquals(4, head.getTelemetrySeq());
        assertEquals("r3", head.getGeneration().getRequestId());
        assertArrayEquals(Files.readAllBytes(synced.resolve("00000000000000000004.tlm")),
                Files.readAllBytes(other.resolve("00000000000000000004.tlm")), "byte for byte as the fsynced spool");
        // delivered after the restart: gone from the directory at the next close
        reopened.acknowledge(4);
        reopened.close();
        assertEquals(2, new TelemetrySpool(other, 3, SpoolDurability.FSYNC).size());
    }

    /** A memory spool touches no file until it closes. */
    @Test
    void aMemorySpoolWritesNothingBeforeItCloses() throws Exception {
        TelemetrySpool spool = new TelemetrySpool(dir, 10, SpoolDurability.MEMORY);
        spool.append(record("a"));
        spool.append(record("b"));
        spool.acknowledge(spool.peek().orElseThrow().getTelemetrySeq());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
        spool.close();
        TelemetrySpool reopened = new TelemetrySpool(dir, 10, SpoolDurability.MEMORY);
        assertEquals("b", reopened.peek().orElseThrow().getGeneration().getRequestId());
        assertEquals(3, reopened.nextSeq());
    }

    @Test
    void durabilityKeysAreSpelledAsInTheConfig() {
        assertEquals(SpoolDurability.PAGE_CACHE, SpoolDurability.parse("page-cache"));
        assertEquals("must be fsync, page-cache or memory, got 'disk'",
                assertThrows(IllegalArgumentException.class, () -> SpoolDurability.parse("disk")).getMessage());
    }

    @Test
    void aFullSpoolDropsTheOldestAndReportsItOnTheNextDelivery() throws Exception {
        TelemetrySpool spool = new TelemetrySpool(dir, 3);
        for (int i = 0; i < 5; i++) {
            spool.append(record("r" + i));
        }
        assertEquals(3, spool.size());
        Telemetry head = spool.peek().orElseThrow();
        assertEquals(3, head.getTelemetrySeq(), "seq 1 and 2 were dropped");
        assertEquals(2, head.getDroppedBefore());
        spool.acknowledge(3);
        assertEquals(0, spool.peek().orElseThrow().getDroppedBefore(), "the gap is reported once");
        assertEquals(2, spool.droppedTotal());
    }

    @Test
    void aRestartKeepsRecordsSeqAndDropCount() throws Exception {
        TelemetrySpool first = new TelemetrySpool(dir, 2);
        first.append(record("a"));
        first.append(record("b"));
        first.append(record("c")); // drops a
        TelemetrySpool second = new TelemetrySpool(dir, 2);
        assertEquals(2, second.size());
        Telemetry head = second.peek().orElseThrow();
        assertEquals("b", head.getGeneration().getRequestId());
        assertEquals(1, head.getDroppedBefore());
        assertEquals(4, second.append(record("d")), "seq continues after a restart");
    }

    @Test
    void seqIsNeverReusedEvenIfTheCounterFileIsStale() throws Exception {
        TelemetrySpool first = new TelemetrySpool(dir, 10);
        first.append(record("a"));
        first.append(record("b"));
        Files.writeString(dir.resolve("next-seq"), "1"); // as if the process died before updating it
        assertEquals(3, new TelemetrySpool(dir, 10).append(record("c")));
    }

    @Test
    void aTornRecordFileIsCountedAsDroppedNotFatal() throws Exception {
        TelemetrySpool spool = new TelemetrySpool(dir, 10);
        spool.append(record("a"));
        spool.append(record("b"));
        try (var files = Files.list(dir)) {
            Path first = files.filter(p -> p.toString().endsWith(".tlm")).sorted().findFirst().orElseThrow();
            Files.write(first, new byte[] {(byte) 0xff, (byte) 0xff, 0x01});
        }
        TelemetrySpool reopened = new TelemetrySpool(dir, 10);
        Telemetry head = reopened.peek().orElseThrow();
        assertEquals("b", head.getGeneration().getRequestId());
        assertEquals(1, head.getDroppedBefore());
        assertEquals(1, reopened.corruptRecords());
    }

    @Test
    void aCorruptCounterIsAPreciseError() throws Exception {
        Files.writeString(dir.resolve("next-seq"), "x1");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> new TelemetrySpool(dir, 10));
        assertTrue(e.getMessage().contains("next-seq is corrupt: 'x1'"), e.getMessage());
    }

    @Test
    void capacityMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new TelemetrySpool(dir, 0));
    }
}
