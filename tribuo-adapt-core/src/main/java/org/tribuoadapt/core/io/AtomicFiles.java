package org.tribuoadapt.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that readers see either the previous complete file or the new complete file, never a partial
 * one: the content goes to a uniquely named temporary sibling, is forced to disk, and is moved over the target
 * with {@link StandardCopyOption#ATOMIC_MOVE}. On any failure the temporary file is deleted and an existing
 * target is left untouched. Every file Tribuo Adapt writes (weights, adapters, models, reports) goes through here.
 */
public final class AtomicFiles {

    /** The suffix of temporary files. */
    public static final String TEMP_SUFFIX = ".tmp";

    private static final int MAX_TEMP_PREFIX_CHARS = 100;

    private AtomicFiles() {}

    /**
     * Writes content produced by a callback.
     */
    @FunctionalInterface
    public interface ContentWriter {
        /**
         * Writes the whole content.
         * @param channel The temporary file's channel.
         * @throws IOException if writing fails.
         */
        void writeTo(FileChannel channel) throws IOException;
    }

    /**
     * Atomically replaces {@code target} with bytes.
     * @param target The file to write.
     * @param bytes The content.
     * @throws IOException if the file cannot be written or moved into place.
     */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, channel -> writeFully(channel, ByteBuffer.wrap(bytes)));
    }

    /**
     * Atomically replaces {@code target} with what {@code writer} writes.
     * @param target The file to write.
     * @param writer Writes the content.
     * @throws IOException if the file cannot be written or moved into place.
     */
    public static void write(Path target, ContentWriter writer) throws IOException {
        Path absolute = Objects.requireNonNull(target, "target").toAbsolutePath();
        Path temporary = temporarySibling(absolute);
        // CREATE_NEW: if this fails, the path belongs to someone else and must not be deleted.
        FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            try (channel) {
                writer.writeTo(channel);
                channel.force(true);
            }
            Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException | Error failure) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException | RuntimeException cleanupFailure) {
                failure.addSuppressed(cleanupFailure);
            }
            throw failure;
        }
    }

    /**
     * Writes a whole buffer to a channel.
     * @param channel The channel.
     * @param buffer The bytes.
     * @throws IOException if writing fails.
     */
    public static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static Path temporarySibling(Path target) {
        Path fileName = target.getFileName();
        if (fileName == null) {
            throw new IllegalArgumentException("'" + target + "' does not name a file");
        }
        String name = fileName.toString();
        if (name.length() > MAX_TEMP_PREFIX_CHARS) {
            name = name.substring(0, MAX_TEMP_PREFIX_CHARS);
        }
        String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        return target.resolveSibling("." + name + "." + suffix + TEMP_SUFFIX);
    }
}
