package org.tribuoadapt.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The package graph of one module's own code: package A uses package B when a source file of A imports a class of B
 * (single-type, on-demand or static import) or names one of B's classes fully qualified in code (comments and string
 * literals are not read). Only packages with sources in the tree count, so the graph shows how the module's own
 * packages depend on each other. Tests use it to check the layering of a module:
 * <pre>{@code
 * PackageImports graph = PackageImports.ofModule();
 * assertTrue(graph.cycles().isEmpty(), graph.describeCycles());
 * }</pre>
 * Package names follow Java's convention (lower case), and class names start with an upper-case letter; that is how a
 * reference's package is told from its class.
 */
public final class PackageImports {

    private static final Pattern PACKAGE = Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;");
    private static final Pattern IMPORT = Pattern.compile("(?m)^\\s*import\\s+(?:static\\s+)?([\\w.]+?)(\\.\\*)?\\s*;");
    private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.])((?:[a-z_]\\w*\\.)+)[A-Z]\\w*");

    /** Package, then used package, then the files of the first that use the second. */
    private final Map<String, Map<String, Set<String>>> uses;

    private PackageImports(Map<String, Map<String, Set<String>>> uses) {
        this.uses = uses;
    }

    /**
     * Reads the main sources of the module the tests run in ({@code src/main/java} under the working directory, which
     * is the module's directory under Maven's surefire).
     * @return The graph.
     * @throws IOException if the sources cannot be read.
     */
    public static PackageImports ofModule() throws IOException {
        return of(Paths.get("src", "main", "java"));
    }

    /**
     * Reads a source tree.
     * @param sourceRoot The root of the package directories, e.g. {@code src/main/java}.
     * @return The graph.
     * @throws IOException if the directory does not exist or a file cannot be read.
     */
    public static PackageImports of(Path sourceRoot) throws IOException {
        if (!Files.isDirectory(sourceRoot)) {
            throw new IOException("source root " + sourceRoot.toAbsolutePath() + " does not exist or is not a directory");
        }
        Map<Path, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(sourceRoot)) {
            for (Path file : (Iterable<Path>) walk.filter(p -> p.toString().endsWith(".java"))::iterator) {
                files.put(file, Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        Map<Path, String> packageOf = new HashMap<>();
        Map<String, Map<String, Set<String>>> uses = new TreeMap<>();
        for (Map.Entry<Path, String> f : files.entrySet()) {
            Matcher m = PACKAGE.matcher(f.getValue());
            String pkg = m.find() ? m.group(1) : "";
            packageOf.put(f.getKey(), pkg);
            uses.putIfAbsent(pkg, new TreeMap<>());
        }
        for (Map.Entry<Path, String> f : files.entrySet()) {
            String from = packageOf.get(f.getKey());
            String file = sourceRoot.relativize(f.getKey()).toString();
            for (String to : referencedPackages(f.getValue())) {
                if (!to.equals(from) && uses.containsKey(to)) {
                    uses.get(from).computeIfAbsent(to, k -> new TreeSet<>()).add(file);
                }
            }
        }
        return new PackageImports(uses);
    }

    /**
     * The packages a source file refers to: by on-demand import, and by every qualified class name in its code, which
     * includes single-type and static imports.
     */
    private static Set<String> referencedPackages(String source) {
        Set<String> out = new TreeSet<>();
        Matcher imports = IMPORT.matcher(source);
        while (imports.find()) {
            String name = imports.group(1);
            String pkg = packageOf(name);
            out.add(pkg.isEmpty() && imports.group(2) != null ? name : pkg);
        }
        Matcher qualified = QUALIFIED.matcher(codeOnly(source));
        while (qualified.find()) {
            String prefix = qualified.group(1);
            out.add(prefix.substring(0, prefix.length() - 1));
        }
        return out;
    }

    /** The segments of a dotted name before its first upper-case segment (the class). */
    private static String packageOf(String name) {
        List<String> segments = new ArrayList<>();
        for (String segment : name.split("\\.")) {
            if (!segment.isEmpty() && Character.isUpperCase(segment.charAt(0))) {
                return String.join(".", segments);
            }
            segments.add(segment);
        }
        return "";
    }

    /** The source with comments, string and character literals blanked out. */
    private static String codeOnly(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                while (i < n && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < n && source.charAt(i) != c) {
                    i += source.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** @return The module's packages, sorted. */
    public Set<String> packages() {
        return Collections.unmodifiableSet(uses.keySet());
    }

    /**
     * The module's packages that a package uses.
     * @param pkg The package.
     * @return The packages it imports or names, sorted.
     * @throws IllegalArgumentException naming the package and listing the module's if it has no sources here.
     */
    public Set<String> usedBy(String pkg) {
        return Collections.unmodifiableSet(edges(pkg).keySet());
    }

    /**
     * The files of one package that use another.
     * @param from The using package.
     * @param to The used package.
     * @return The files, relative to the source root; empty if {@code from} does not use {@code to}.
     * @throws IllegalArgumentException naming the package and listing the module's if {@code from} has no sources here.
     */
    public Set<String> filesUsing(String from, String to) {
        return Collections.unmodifiableSet(edges(from).getOrDefault(to, Collections.emptySet()));
    }

    private Map<String, Set<String>> edges(String pkg) {
        Map<String, Set<String>> out = uses.get(pkg);
        if (out == null) {
            throw new IllegalArgumentException("package '" + pkg + "' has no sources here; packages are " + uses.keySet());
        }
        return out;
    }

    /**
     * The import cycles: one per group of packages that reach each other (strongly connected component), given as a
     * path through the group, each package using the next and the last using the first.
     * @return The cycles; empty when the packages form a directed acyclic graph.
     */
    public List<List<String>> cycles() {
        List<List<String>> out = new ArrayList<>();
        for (Set<String> component : stronglyConnectedComponents()) {
            if (component.size() > 1) {
                out.add(cycleWithin(component));
            }
        }
        return out;
    }

    /**
     * A readable account of {@link #cycles()}, with the files behind each step, for assertion messages.
     * @return One line per cycle, or a line saying there is none.
     */
    public String describeCycles() {
        List<List<String>> cycles = cycles();
        if (cycles.isEmpty()) {
            return "no package cycles";
        }
        StringBuilder out = new StringBuilder(cycles.size() + " package cycle(s):");
        for (List<String> cycle : cycles) {
            out.append("\n  ").append(cycle.get(0));
            for (int i = 0; i < cycle.size(); i++) {
                String from = cycle.get(i);
                String to = cycle.get((i + 1) % cycle.size());
                out.append(" -> ").append(to).append(" (").append(String.join(", ", filesUsing(from, to))).append(')');
            }
        }
        return out.toString();
    }

    /** Tarjan's algorithm, iterative over the sorted packages, so the output is deterministic. */
    private List<Set<String>> stronglyConnectedComponents() {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        for (String root : uses.keySet()) {
            if (index.containsKey(root)) {
                continue;
            }
            Deque<Map.Entry<String, List<String>>> work = new ArrayDeque<>();
            visit(root, index, low, stack, onStack, work);
            while (!work.isEmpty()) {
                Map.Entry<String, List<String>> top = work.peek();
                String node = top.getKey();
                List<String> pending = top.getValue();
                if (!pending.isEmpty()) {
                    String next = pending.remove(0);
                    if (!index.containsKey(next)) {
                        visit(next, index, low, stack, onStack, work);
                    } else if (onStack.contains(next)) {
                        low.put(node, Math.min(low.get(node), index.get(next)));
                    }
                    continue;
                }
                work.pop();
                if (!work.isEmpty()) {
                    String parent = work.peek().getKey();
                    low.put(parent, Math.min(low.get(parent), low.get(node)));
                }
                if (low.get(node).equals(index.get(node))) {
                    Set<String> component = new TreeSet<>();
                    String member;
                    do {
                        member = stack.pop();
                        onStack.remove(member);
                        component.add(member);
                    } while (!member.equals(node));
                    out.add(component);
                }
            }
        }
        return out;
    }

    private void visit(String node, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
                       Set<String> onStack, Deque<Map.Entry<String, List<String>>> work) {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.push(node);
        onStack.add(node);
        work.push(Map.entry(node, new ArrayList<>(uses.get(node).keySet())));
    }

    /** A shortest cycle through the first package of a strongly connected component (breadth-first, inside it). */
    private List<String> cycleWithin(Set<String> component) {
        String start = component.iterator().next();
        Map<String, String> previous = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String node = queue.poll();
            for (String next : uses.get(node).keySet()) {
                if (next.equals(start)) {
                    List<String> path = new ArrayList<>();
                    for (String p = node; p != null; p = previous.get(p)) {
                        path.add(0, p);
                    }
                    return path;
                }
                if (component.contains(next) && !previous.containsKey(next)) {
                    previous.put(next, node);
                    queue.add(next);
                }
            }
        }
        throw new IllegalStateException("no cycle through " + start + " in " + component);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("PackageImports");
        uses.forEach((pkg, used) -> out.append("\n  ").append(pkg).append(" -> ").append(used.keySet()));
        return out.toString();
    }
}
