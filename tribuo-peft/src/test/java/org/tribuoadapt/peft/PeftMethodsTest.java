package org.tribuoadapt.peft;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.peft.ia3.IA3Spec;
import org.tribuoadapt.peft.io.AdapterFormatException;
import org.tribuoadapt.peft.io.PeftConfigJson;
import org.tribuoadapt.peft.lora.LoraMethod;
import org.tribuoadapt.peft.lora.LoraSpec;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The method registry: every spec class of the module is registered, every registered method reads back what it
 * writes, unknown types and unregistered specs are named in the errors, and two methods cannot claim one type or class.
 */
public class PeftMethodsTest {

    /** One configured spec of each class, from the example configurations ({@code examples/configs/peft-*.xml}). */
    private static final Map<Class<?>, AdapterSpec> EXAMPLES = new LinkedHashMap<>();

    /** A component of an OLCUT configuration file, with its type. */
    private static final Pattern COMPONENT = Pattern.compile(
            "<component\\s+name=\"[^\"]*\"\\s+type=\"([^\"]+)\"\\s*>.*?</component>", Pattern.DOTALL);

    @BeforeAll
    public static void loadExampleSpecs(@TempDir Path scratch) throws IOException {
        try (DirectoryStream<Path> configs = Files.newDirectoryStream(Paths.get("..", "examples", "configs"), "peft-*.xml")) {
            for (Path config : configs) {
                // the application's pipeline steps are not on this module's class path: keep the components it can load
                Path libraryOnly = Files.writeString(scratch.resolve(config.getFileName()),
                        COMPONENT.matcher(Files.readString(config)).replaceAll(m -> loadable(m.group(1))
                                ? Matcher.quoteReplacement(m.group()) : ""));
                for (AdapterSpec spec : new ConfigurationManager(libraryOnly.toString()).lookupAll(AdapterSpec.class)) {
                    EXAMPLES.putIfAbsent(spec.getClass(), spec);
                }
            }
        }
    }

    private static boolean loadable(String className) {
        try {
            Class.forName(className, false, PeftMethodsTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Test
    public void everySpecClassOfTheModuleIsRegistered() throws IOException, ClassNotFoundException {
        Set<String> registered = new TreeSet<>();
        for (PeftMethod<?> method : PeftMethods.installed().methods()) {
            registered.add(method.specClass().getName());
        }
        Set<String> specs = new TreeSet<>();
        Path root = Paths.get("src", "main", "java");
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> p.toString().endsWith(".java") && !p.endsWith("package-info.java")).forEach(sources::add);
        }
        for (Path source : sources) {
            String name = root.relativize(source).toString().replace(source.getFileSystem().getSeparator(), ".")
                    .replaceAll("\\.java$", "");
            Class<?> c = Class.forName(name, false, getClass().getClassLoader());
            if (AdapterSpec.class.isAssignableFrom(c) && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())) {
                specs.add(name);
            }
        }
        assertTrue(specs.size() >= 16, specs.toString());
        assertEquals(specs, registered, "every concrete AdapterSpec needs a PeftMethod in " + PeftMethods.SERVICE_FILE);
    }

    @Test
    public void everyRegisteredMethodReadsBackWhatItWrites() throws AdapterFormatException {
        PeftMethods registry = PeftMethods.installed();
        for (PeftMethod<?> method : registry.methods()) {
            AdapterSpec spec = EXAMPLES.get(method.specClass());
            assertNotNull(spec, "no example configuration of " + method.specClass().getSimpleName() + " in examples/configs");
            String written = registry.write(spec).toString();
            PeftConfigJson json = PeftConfigJson.parse(written.getBytes(StandardCharsets.UTF_8), method.peftType());
            assertEquals(method.peftType(), json.peftType());
            AdapterSpec back = registry.read(json);
            assertInstanceOf(method.specClass(), back);
            assertEquals(written, registry.write(back).toString(), method.peftType());
        }
    }

    @Test
    public void unknownTypeIsNamedWithTheRegisteredTypes() {
        AdapterFormatException e = assertThrows(AdapterFormatException.class, () -> AdapterFiles.parseConfig(
                "{\"peft_type\": \"PREFIX_TUNING\"}".getBytes(StandardCharsets.UTF_8), "some/adapter_config.json"));
        assertTrue(e.getMessage().startsWith("some/adapter_config.json: peft_type 'PREFIX_TUNING' is not supported"),
                e.getMessage());
        assertTrue(e.getMessage().contains(PeftMethods.installed().types().toString()), e.getMessage());
        IllegalArgumentException direct = assertThrows(IllegalArgumentException.class,
                () -> PeftMethods.installed().forType("lora"));
        assertTrue(direct.getMessage().contains("'lora'") && direct.getMessage().contains("LORA, IA3"), direct.getMessage());
    }

    @Test
    public void unregisteredSpecClassIsNotWritten() {
        PeftMethods onlyLora = new PeftMethods(List.of(new LoraMethod()));
        AdapterSpec ia3 = EXAMPLES.get(IA3Spec.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> onlyLora.write(ia3));
        assertTrue(e.getMessage().contains(IA3Spec.class.getName()) && e.getMessage().contains("[LoraSpec]"), e.getMessage());
        assertEquals(List.of(LoraSpec.PEFT_TYPE), onlyLora.types());
    }

    @Test
    public void twoMethodsCannotClaimOneTypeOrSpecClass() {
        IllegalStateException type = assertThrows(IllegalStateException.class,
                () -> new PeftMethods(List.of(new LoraMethod(), new LoraMethod())));
        assertTrue(type.getMessage().contains("peft_type 'LORA'") && type.getMessage().contains(LoraMethod.class.getName()),
                type.getMessage());
        PeftMethod<LoraSpec> sameClass = new AbstractPeftMethod<>("LORA_AGAIN", LoraSpec.class, LoraSpec::fromPeftConfig) { };
        IllegalStateException specClass = assertThrows(IllegalStateException.class,
                () -> new PeftMethods(List.of(new LoraMethod(), sameClass)));
        assertTrue(specClass.getMessage().contains("spec class " + LoraSpec.class.getName()), specClass.getMessage());
    }
}
