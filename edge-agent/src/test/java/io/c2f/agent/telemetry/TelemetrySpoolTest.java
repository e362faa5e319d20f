package io.c2f.agent.telemetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.proto.v1.GenerationRecord;
import io.c2f.proto.v1.Telemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /** Without fsync the spool writes the same files: a reopened spool (the agent restarted) finds every record. */
    @Test
    void aSpoolWithoutFsyncWritesTheSameFilesAndSurvivesARestart() throws Exception {
        Path synced = dir.resolve("synced");
        Path unsynced = dir.resolve("unsynced");
        TelemetrySpool a = new TelemetrySpool(synced, 3, true);
        TelemetrySpool b = new TelemetrySpool(unsynced, 3, false);
        for (int i = 0; i < 5; i++) {
            a.append(record("r" + i));
            b.append(record("r" + i));
        }
        a.acknowledge(a.peek().orElseThrow().getTelemetrySeq());
        b.acknowledge(b.peek().orElseThrow().getTelemetrySeq());
        b.append(record("r5"));
        try (var files = Files.list(unsynced)) {
            assertEquals(java.util.List.of("00000000000000000004.tlm", "00000000000000000005.tlm", "00000000000000000006.tlm", "dropped",
                    "next-seq"),
                    files.map(f -> f.getFileName().toString()).sorted().toList(), "no temp file left, names sort as seqs");
        }
        TelemetrySpool reopened = new TelemetrySpool(unsynced, 3, false);
        assertEquals(3, reopened.size());
        assertEquals(7, reopened.nextSeq());
        Telemetry head = reopened.peek().orElseThrow();
        assertEquals(4, head.getTelemetrySeq());
        assertEquals("r3", head.getGeneration().getRequestId());
        assertArrayEquals(Files.readAllBytes(synced.resolve("00000000000000000004.tlm")),
                Files.readAllBytes(unsynced.resolve("00000000000000000004.tlm")), "byte for byte as the fsynced spool");
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
