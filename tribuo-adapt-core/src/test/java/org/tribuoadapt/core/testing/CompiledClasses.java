package org.tribuoadapt.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The classes a module compiled, found by walking the class directory its main code was loaded from, so that
 * registry tests can check that every implementation of a service in the module is registered.
 */
public final class CompiledClasses {

    private CompiledClasses() {}

    /**
     * The concrete public classes under a package (and its sub-packages) of the class directory holding
     * {@code service}, that implement it.
     * @param service The service type; its module's classes are searched.
     * @param packageName The package to search, e.g. {@code org.tribuoadapt.tta.method}.
     * @param <T> The service type.
     * @return The implementations, sorted by name.
     * @throws IllegalStateException if the service was not loaded from a directory (for example from a jar).
     */
    public static <T> List<Class<? extends T>> implementations(Class<T> service, String packageName) {
        Path root;
        try {
            root = Path.of(service.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the classes of " + service.getName(), e);
        }
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException(service.getName() + " was loaded from " + root + ", not a class directory");
        }
        List<Class<? extends T>> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root.resolve(packageName.replace('.', '/')))) {
            for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                String relative = root.relativize(file).toString();
                if (!relative.endsWith(".class") || relative.contains("$")) {
                    continue;
                }
                Class<?> type = Class.forName(relative.substring(0, relative.length() - 6).replace(file.getFileSystem()
                        .getSeparator(), "."), false, service.getClassLoader());
                int modifiers = type.getModifiers();
                if (service.isAssignableFrom(type) && !type.isInterface() && !Modifier.isAbstract(modifiers)
                        && Modifier.isPublic(modifiers)) {
                    out.add(type.asSubclass(service));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
