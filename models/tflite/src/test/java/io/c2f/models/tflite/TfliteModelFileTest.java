package io.c2f.models.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TfliteModelFileTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws Exception {
        Path path = dir.resolve(name);
        Files.write(path, bytes);
        return path;
    }

    @Test
    void opensAValidModelAndHashesIt() throws Exception {
        byte[] bytes = TestModels.add().toBytes();
        Path path = write("model.tflite", bytes);
        TfliteModelFile file = TfliteModelFile.open(path);
        assertEquals(bytes.length, file.size());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), file.sha256());
        file.verifySha256(file.sha256().toUpperCase());
        assertTrue(file.buffer().isDirect());
        assertEquals(0, file.buffer().position());
    }

    @Test
    void sha256MismatchNamesBothHashes() throws Exception {
        TfliteModelFile file = TfliteModelFile.open(write("model.tflite", TestModels.add().toBytes()));
        String other = "cd34" + "0".repeat(60);
        ModelIntegrityException e = assertThrows(ModelIntegrityException.class, () -> file.verifySha256(other));
        assertEquals("model.tflite sha256 is " + file.sha256() + ", manifest says " + other, e.getMessage());
        ModelIntegrityException bad = assertThrows(ModelIntegrityException.class, () -> file.verifySha256("abc"));
        assertTrue(bad.getMessage().contains("not 64 hex digits"), bad.getMessage());
    }

    @Test
    void missingFile() {
        Path path = dir.resolve("absent.tflite");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> TfliteModelFile.open(path));
        assertEquals("model file " + path + " does not exist", e.getMessage());
    }

    @Test
    void emptyAndTooShortFiles() throws Exception {
        Path empty = write("empty.tflite", new byte[0]);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> TfliteModelFile.open(empty));
        assertTrue(e.getMessage().startsWith("model file " + empty + " is 0 bytes: too short"), e.getMessage());
        Path shortFile = write("short.tflite", new byte[] {1, 2, 3, 4, 5});
        e = assertThrows(ModelFormatException.class, () -> TfliteModelFile.open(shortFile));
        assertTrue(e.getMessage().contains("is 5 bytes: too short"), e.getMessage());
    }

    @Test
    void notATfliteFlatbuffer() throws Exception {
        Path png = write("picture.tflite", "\u0089PNG\r\n\u001a\n0000".getBytes(StandardCharsets.ISO_8859_1));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> TfliteModelFile.open(png));
        assertEquals("model file " + png + " is not a TFLite flatbuffer: expected file identifier TFL3 at bytes"
                + " 4..7, found 0d 0a 1a 0a", e.getMessage());
        byte[] text = "hello world, no model here".getBytes(StandardCharsets.US_ASCII);
        Path txt = write("text.tflite", text);
        e = assertThrows(ModelFormatException.class, () -> TfliteModelFile.open(txt));
        assertTrue(e.getMessage().endsWith("found \"o wo\" (6f 20 77 6f)"), e.getMessage());
    }

    @Test
    void truncatedModelNamesFileSizeAndInterpreterMessage() throws Exception {
        byte[] bytes = TestModels.add().toBytes();
        Path path = write("cut.tflite", Arrays.copyOf(bytes, bytes.length / 2));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> TfliteModelFile.open(path));
        System.out.println("truncated model: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("model file " + path + " (" + bytes.length / 2 + " bytes)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("not a valid flatbuffer model"), e.getMessage());
    }

    @Test
    void modelNeedingGeluIsAnUnsupportedOp() throws Exception {
        Path path = write("gelu.tflite", TestModels.gelu().toBytes());
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> TfliteModelFile.open(path));
        assertEquals("GELU", e.op());
        assertEquals("model needs op GELU which this TFLite runtime (2.6.2) does not provide", e.getMessage());
    }
}
