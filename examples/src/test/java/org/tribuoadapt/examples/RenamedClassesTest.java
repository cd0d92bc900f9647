package org.tribuoadapt.examples;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class RenamedClassesTest {

    @Test
    public void anOldConfigurationNamesTheReplacement(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("old.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <config>
                    <component name="robust-trainer" type="org.tribuoadapt.robust.adversarial.AdversarialTrainer">
                        <property name="epochs" value="2"/>
                    </component>
                </config>
                """);
        Exception failure = assertThrows(Exception.class, () -> {
            try (ConfigurationManager cm = new ConfigurationManager(config.toString())) {
                cm.lookup("robust-trainer");
            }
        });
        String message = Main.describe(failure);
        assertTrue(message.contains("org.tribuoadapt.robust.adversarial.AdversarialTrainer no longer exists; use "
                + "org.tribuoadapt.core.model.NetworkTrainer with its objective property"), message);
    }

    @Test
    public void unrelatedFailuresGetNoHint() {
        assertTrue(RenamedClasses.hint(new IllegalArgumentException("org.tribuoadapt.tta.method.TentAdapterX")).isEmpty());
        assertTrue(RenamedClasses.hint(new IllegalArgumentException((String) null)).isEmpty());
    }

    @Test
    public void everyReplacementExists() throws Exception {
        Properties table = new Properties();
        try (InputStream in = RenamedClasses.class.getResourceAsStream("renamed-classes.properties")) {
            table.load(in);
        }
        assertTrue(table.size() > 20);
        for (String old : table.stringPropertyNames()) {
            String replacement = table.getProperty(old).split(" ")[0];
            assertDoesNotThrow(() -> Class.forName(replacement), old + " -> " + replacement);
            assertThrows(ClassNotFoundException.class, () -> Class.forName(old), old + " still exists");
        }
    }
}
