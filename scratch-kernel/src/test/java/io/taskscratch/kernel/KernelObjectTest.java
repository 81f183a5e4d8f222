package io.taskscratch.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed BPF object (src/main/bpf/sched_scratch.bpf.o, what machines without clang
 * package) is current: {@code sched_scratch.bpf.o.sha256} records the SHA-256 of every source it
 * was compiled from and of the object itself, and these must match the files as they are.
 * {@code build.sh --commit} regenerates both.
 */
class KernelObjectTest {
    private static final Path BPF_DIR = Path.of("src/main/bpf");
    private static final String OBJECT = KernelBackend.OBJECT_RESOURCE;
    private static final String REGENERATE = "run scratch-kernel/src/main/bpf/build.sh --commit"
            + " (clang >= 15 and libbpf-dev) and commit both " + OBJECT + " and " + OBJECT + ".sha256";

    @Test
    void theCommittedObjectWasCompiledFromTheSourcesAsTheyAre() throws IOException {
        Map<String, String> recorded = recordedHashes();
        assertTrue(recorded.containsKey(OBJECT), OBJECT + ".sha256 has no line for " + OBJECT);
        for (Map.Entry<String, String> e : recorded.entrySet()) {
            Path file = BPF_DIR.resolve(e.getKey());
            assertTrue(Files.isRegularFile(file), OBJECT + ".sha256 lists " + e.getKey() + ", which does not exist; " + REGENERATE);
            String what = e.getKey().equals(OBJECT)
                    ? OBJECT + " is not the object its hash file records"
                    : e.getKey() + " changed after " + OBJECT + " was compiled from it";
            assertEquals(e.getValue(), sha256(Files.readAllBytes(file)), what + "; " + REGENERATE);
        }
    }

    @Test
    void everySourceNextToTheObjectIsRecorded() throws IOException {
        Set<String> sources = new TreeSet<>();
        try (Stream<Path> files = Files.list(BPF_DIR)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".bpf.c") || n.endsWith(".h"))
                    .forEach(sources::add);
        }
        Set<String> recorded = new TreeSet<>(recordedHashes().keySet());
        recorded.remove(OBJECT);
        assertEquals(sources, recorded, "sources in " + BPF_DIR + " against those " + OBJECT + ".sha256 records; " + REGENERATE);
    }

    @Test
    void theCommittedObjectIsALittleEndianBpfObjectWithBtfForCoRe() throws IOException {
        Elf elf = new Elf(Files.readAllBytes(BPF_DIR.resolve(OBJECT)));
        assertTrue(elf.sections.containsAll(List.of(".BTF", ".BTF.ext", ".maps", "tp_btf/sched_switch", "license")),
                OBJECT + " sections " + elf.sections);
    }

    @Test
    void theJarCarriesABpfObject() throws IOException {
        byte[] packaged;
        try (InputStream in = KernelBackend.class.getResourceAsStream(OBJECT)) {
            assertNotNull(in, "resource io/taskscratch/kernel/" + OBJECT + " missing from the classes directory");
            packaged = in.readAllBytes();
        }
        // Either the committed bytes (no clang here) or a local compile of the same program.
        Elf elf = new Elf(packaged);
        assertTrue(elf.sections.contains("tp_btf/sched_switch"), "packaged " + OBJECT + " sections " + elf.sections);
        if (!Arrays.equals(packaged, Files.readAllBytes(BPF_DIR.resolve(OBJECT)))) {
            System.out.println("[scratch-kernel] the packaged " + OBJECT + " was compiled here, not the committed one");
        }
    }

    /** File name to hex SHA-256, from the non-comment lines ({@code <hash>  <name>}). */
    private static Map<String, String> recordedHashes() throws IOException {
        Path file = BPF_DIR.resolve(OBJECT + ".sha256");
        assertTrue(Files.isRegularFile(file), file + " missing; " + REGENERATE);
        Map<String, String> hashes = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+", 2);
            assertEquals(2, f.length, file + ": malformed line '" + line + "'");
            hashes.put(f[1].trim(), f[0]);
        }
        return hashes;
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The ELF header checks libbpf relies on, and the section names. */
    private static final class Elf {
        private static final int EM_BPF = 247;
        private static final int ET_REL = 1;
        final Set<String> sections = new HashSet<>();

        Elf(byte[] bytes) {
            assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, Arrays.copyOf(bytes, 4), "not an ELF file");
            assertEquals(2, bytes[4], "ELFCLASS64 expected");
            assertEquals(1, bytes[5], "little-endian (ELFDATA2LSB) expected: the x86-64 kernel loads only that");
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(ET_REL, b.getShort(16), "a relocatable object (ET_REL) expected");
            assertEquals(EM_BPF, b.getShort(18), "e_machine EM_BPF expected");
            long shoff = b.getLong(0x28);
            int shentsize = b.getShort(0x3A);
            int shnum = b.getShort(0x3C);
            int shstrndx = b.getShort(0x3E);
            long strOff = b.getLong((int) (shoff + (long) shstrndx * shentsize) + 0x18);
            for (int i = 0; i < shnum; i++) {
                int name = b.getInt((int) (shoff + (long) i * shentsize));
                int start = (int) (strOff + name);
                int end = start;
                while (bytes[end] != 0) {
                    end++;
                }
                sections.add(new String(bytes, start, end - start, StandardCharsets.US_ASCII));
            }
        }
    }
}
