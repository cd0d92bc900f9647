package org.tribuoadapt.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that readers see either the previous complete file or the new complete file, never a partial
 * one: the content goes to a uniquely named temporary sibling, is forced to disk, and is moved over the target
 * with {@link StandardCopyOption#ATOMIC_MOVE}. On any failure the temporary file is deleted and an existing
 * target is left untouched. Every file Tribuo Adapt writes (weights, adapters, models, reports) goes through here.
 * <p>
 * A target that is a symbolic link is followed: the file it points to is replaced and the link stays. A target that
 * exists but is not a regular file (a device such as {@code /dev/full}, a directory, a pipe), or a link that points
 * nowhere, is refused before anything is written.
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
        Path absolute = replaceableTarget(Objects.requireNonNull(target, "target"));
        Path temporary = writeTemporary(absolute, writer);
        moveOrDelete(List.of(temporary), List.of(absolute));
    }

    /**
     * Writes several files so that either all of them or none of them change: every temporary file is written and
     * forced to disk first, and only then is each moved over its target, in the map's order. A failure while writing
     * (a full disk, say) deletes every temporary file and leaves all targets as they were.
     * @param contents The content of each file, by target path, in the order the files are moved into place.
     * @throws IOException if a file cannot be written or moved into place.
     */
    public static void writeAll(Map<Path, byte[]> contents) throws IOException {
        List<Path> temporaries = new ArrayList<>();
        List<Path> targets = new ArrayList<>();
        try {
            for (Map.Entry<Path, byte[]> e : contents.entrySet()) {
                Path absolute = replaceableTarget(e.getKey());
                temporaries.add(writeTemporary(absolute, channel -> writeFully(channel, ByteBuffer.wrap(e.getValue()))));
                targets.add(absolute);
            }
        } catch (IOException | RuntimeException | Error failure) {
            deleteAll(temporaries, failure);
            throw failure;
        }
        moveOrDelete(temporaries, targets);
    }

    /**
     * The absolute file a write to {@code target} replaces: the target itself, or the file a symbolic link points to.
     * @param target The path given.
     * @return The file to replace.
     * @throws IOException if the target exists but is not a regular file, or is a link that points nowhere.
     */
    private static Path replaceableTarget(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        if (Files.isSymbolicLink(absolute)) {
            if (!Files.exists(absolute)) {
                throw new IOException("cannot write " + target + ": it is a symbolic link to "
                        + Files.readSymbolicLink(absolute) + ", which does not exist");
            }
            absolute = absolute.toRealPath();
        }
        if (Files.exists(absolute) && !Files.isRegularFile(absolute)) {
            throw new IOException("cannot write " + target + ": it exists and is not a regular file (a directory, "
                    + "device or pipe); refusing to replace it");
        }
        return absolute;
    }

    private static Path writeTemporary(Path absolute, ContentWriter writer) throws IOException {
        Path temporary = temporarySibling(absolute);
        // CREATE_NEW: if this fails, the path belongs to someone else and must not be deleted.
        FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            try (channel) {
                writer.writeTo(channel);
                channel.force(true);
            }
            return temporary;
        } catch (IOException | RuntimeException | Error failure) {
            deleteAll(List.of(temporary), failure);
            throw failure;
        }
    }

    private static void moveOrDelete(List<Path> temporaries, List<Path> targets) throws IOException {
        for (int i = 0; i < temporaries.size(); i++) {
            try {
                Files.move(temporaries.get(i), targets.get(i), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException | Error failure) {
                deleteAll(temporaries.subList(i, temporaries.size()), failure);
                throw failure;
            }
        }
    }

    private static void deleteAll(List<Path> temporaries, Throwable failure) {
        for (Path temporary : temporaries) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException | RuntimeException cleanupFailure) {
                failure.addSuppressed(cleanupFailure);
            }
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
