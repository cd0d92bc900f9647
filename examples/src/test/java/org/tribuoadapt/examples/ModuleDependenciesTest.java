package org.tribuoadapt.examples;

import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.testing.PackageImports;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks the module graph that docs/architecture.md draws: each library module's declared (non-test) dependencies,
 * what its main sources may import, and that no module's packages import each other in a cycle. The application ({@code examples}) is the only module that may depend on
 * everything.
 */
public class ModuleDependenciesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** The non-test dependencies each library module declares, as in docs/architecture.md. */
    private static final Map<String, Set<String>> DECLARED = new LinkedHashMap<>();
    /** The Tribuo Adapt packages each library module's main code may import, besides its own. */
    private static final Map<String, List<String>> ALLOWED_PACKAGES = new LinkedHashMap<>();

    static {
        declare("tribuo-adapt-core", List.of(), "tribuo-core", "tribuo-classification-core", "olcut-config-json",
                "protobuf-java", "api", "pytorch-engine");
        declare("tribuo-adapt-onnx", List.of("org.tribuoadapt.core"), "tribuo-adapt-core", "onnxruntime");
        declare("tribuo-adapt-report", List.of("org.tribuoadapt.core", "org.tribuoadapt.report",
                "org.tribuoadapt.pipeline", "org.tribuoadapt.reproduce"), "tribuo-adapt-core", "jackson-databind",
                "jfreechart", "org.jfree.svg");
        declare("tribuo-peft", List.of("org.tribuoadapt.core"), "tribuo-adapt-core", "jackson-databind", "protobuf-java");
        declare("tribuo-hpo", List.of("org.tribuoadapt.core"), "tribuo-adapt-core", "tribuo-math", "jackson-databind");
        declare("tribuo-robust", List.of("org.tribuoadapt.core"), "tribuo-adapt-core", "jackson-databind");
        declare("tribuo-tta", List.of("org.tribuoadapt.core"), "tribuo-adapt-core", "tribuo-data", "pytorch-engine");
    }

    private static void declare(String module, List<String> packages, String... dependencies) {
        DECLARED.put(module, new TreeSet<>(List.of(dependencies)));
        ALLOWED_PACKAGES.put(module, packages);
    }

    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)\\.[\\w*]+;", Pattern.MULTILINE);

    /** Third-party packages that only the application and its report module may import: charts, progress bars. */
    private static final List<String> APPLICATION_ONLY = List.of("org.jfree", "me.tongfei");
    private static final String REPORT_MODULE = "tribuo-adapt-report";

    @Test
    public void everyModuleIsDescribed() throws Exception {
        Element parent = pom(ROOT.resolve("pom.xml"));
        List<String> modules = texts(parent, "module");
        List<String> libraries = new ArrayList<>(modules);
        libraries.remove("examples");
        assertEquals(List.copyOf(DECLARED.keySet()), libraries, "update docs/architecture.md and this test together");
    }

    @Test
    public void theParentAddsTestDependenciesOnly() throws Exception {
        for (Element dependency : dependencies(pom(ROOT.resolve("pom.xml")))) {
            assertEquals("test", text(dependency, "scope"), text(dependency, "artifactId"));
        }
    }

    @Test
    public void librariesDeclareOnlyTheirDocumentedDependencies() throws Exception {
        for (Map.Entry<String, Set<String>> module : DECLARED.entrySet()) {
            Set<String> declared = new TreeSet<>();
            for (Element dependency : dependencies(pom(ROOT.resolve(module.getKey()).resolve("pom.xml")))) {
                if (!"test".equals(text(dependency, "scope"))) {
                    declared.add(text(dependency, "artifactId"));
                }
            }
            assertEquals(module.getValue(), declared, module.getKey() + "'s compile and runtime dependencies");
        }
    }

    @Test
    public void coreShipsNoNativeLibraryAndNoApplicationCode() throws Exception {
        for (Element dependency : dependencies(pom(ROOT.resolve("tribuo-adapt-core/pom.xml")))) {
            String artifact = text(dependency, "artifactId");
            assertTrue(!artifact.startsWith("pytorch-native") && !artifact.equals("onnxruntime")
                    || "test".equals(text(dependency, "scope")), artifact);
        }
    }

    @Test
    public void librariesImportOnlyWhatTheyMay() {
        for (Map.Entry<String, List<String>> module : ALLOWED_PACKAGES.entrySet()) {
            Path sources = ROOT.resolve(module.getKey()).resolve("src/main/java");
            List<String> violations = new ArrayList<>();
            for (Path file : javaFiles(sources)) {
                String own = ownRoot(sources.relativize(file));
                Matcher m = IMPORT.matcher(read(file));
                while (m.find()) {
                    String imported = m.group(1);
                    boolean ours = imported.startsWith("org.tribuoadapt.");
                    boolean allowed = !ours || imported.startsWith(own)
                            || module.getValue().stream().anyMatch(p -> imported.equals(p) || imported.startsWith(p + "."));
                    boolean applicationOnly = !module.getKey().equals(REPORT_MODULE)
                            && APPLICATION_ONLY.stream().anyMatch(imported::startsWith);
                    if (!allowed || applicationOnly) {
                        violations.add(sources.relativize(file) + " imports " + imported);
                    }
                }
            }
            assertEquals(List.of(), violations, module.getKey());
        }
    }

    @Test
    public void noModuleHasAPackageCycle() throws Exception {
        List<String> modules = new ArrayList<>(DECLARED.keySet());
        modules.add("examples");
        for (String module : modules) {
            PackageImports graph = PackageImports.of(ROOT.resolve(module).resolve("src/main/java"));
            assertEquals(List.of(), graph.cycles(), module + ": " + graph.describeCycles());
        }
    }

    @Test
    public void everyPackageHasAPackageInfo() {
        List<String> modules = new ArrayList<>(DECLARED.keySet());
        modules.add("examples");
        List<String> missing = new ArrayList<>();
        for (String module : modules) {
            Path sources = ROOT.resolve(module).resolve("src/main/java");
            javaFiles(sources).stream().map(Path::getParent).distinct()
                    .filter(dir -> !Files.exists(dir.resolve("package-info.java")))
                    .forEach(dir -> missing.add(module + ": " + sources.relativize(dir)));
        }
        assertEquals(List.of(), missing);
    }

    /** The module's root package: org.tribuoadapt.X for a file under org/tribuoadapt/X/. */
    private static String ownRoot(Path relative) {
        return "org.tribuoadapt." + relative.getName(2);
    }

    private static List<Path> javaFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Element pom(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile()).getDocumentElement();
    }

    /** The project's own {@code dependencies/dependency} elements (not those of dependencyManagement or plugins). */
    private static List<Element> dependencies(Element project) {
        List<Element> result = new ArrayList<>();
        for (Element dependencies : children(project, "dependencies")) {
            result.addAll(children(dependencies, "dependency"));
        }
        return result;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> result = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && e.getTagName().equals(name)) {
                result.add(e);
            }
        }
        return result;
    }

    private static List<String> texts(Element parent, String name) {
        NodeList nodes = parent.getElementsByTagName(name);
        List<String> result = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            result.add(nodes.item(i).getTextContent().trim());
        }
        return result;
    }

    private static String text(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0).getTextContent().trim();
    }
}
