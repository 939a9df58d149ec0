package io.sparkgrad.nn;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The instance fields of a {@link Cell} subclass in a defined order: superclass fields first, and
 * within each class the order of its class file's field table. {@code javac} writes that table in
 * source declaration order, so for ordinary classes this is the order the fields are written in.
 *
 * <p>Why not {@link Class#getDeclaredFields()}: its order is explicitly unspecified ("the elements
 * in the returned array are not sorted and are not in any particular order"). HotSpot happens to
 * return declaration order today, but the flat parameter layout, and so every checkpoint, must not
 * rest on a JVM detail. The class file, in contrast, is bytes on the class path that the JVM does
 * not reorder.
 *
 * <p>Why a small reader and not a library such as ASM: only the constant pool (to be skipped, with
 * its UTF-8 entries kept) and the field table are needed. That part of the format has been stable
 * since Java 1.0 except for new constant-pool tags, and an unknown tag is reported, not guessed
 * past. Some 60 lines keep the engine free of a bytecode library that would have to track every
 * new class-file version.
 *
 * <p>When a class's bytes cannot be read (a class generated at run time, a hidden class, a loader
 * that serves no resources) or do not match the loaded class, the layout says so in
 * {@link Layout#unreadable}; it never falls back to reflection order. {@link Cell} then fails only
 * if such a field holds a member that was not registered explicitly.
 *
 * <p>Stateless: nothing is cached here (the engine keeps no static state, not even a memo); each
 * {@link Cell} instance keeps the layout it read.
 */
final class FieldOrder {
    private FieldOrder() {
    }

    /**
     * The instance, non-synthetic fields of a class and its superclasses below {@link Cell},
     * already made accessible. When {@code unreadable} is null, {@code fields} is in the defined
     * order; otherwise {@code unreadable} says why the order is unknown and {@code fields} is in
     * no particular order, for checking which fields hold members, never for ordering them.
     */
    record Layout(List<Field> fields, String unreadable) {
    }

    /** The layout of {@code type}, a subclass of {@link Cell}. */
    static Layout of(Class<? extends Cell> type) {
        return compute(type);
    }

    private static Layout compute(Class<?> type) {
        List<Field> fields = new ArrayList<>();
        String unreadable = null;
        Class<?> sup = type.getSuperclass();
        if (sup != null && sup != Cell.class && Cell.class.isAssignableFrom(sup)) {
            Layout parent = compute(sup);
            fields.addAll(parent.fields());
            unreadable = parent.unreadable();
        }
        Map<String, Field> declared = new LinkedHashMap<>();
        for (Field f : type.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic()) {
                continue;
            }
            try {
                f.setAccessible(true);
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot read field " + type.getName() + "." + f.getName()
                        + " to find parameters: " + e, e);
            }
            declared.put(f.getName(), f);
        }
        if (declared.isEmpty()) {
            return new Layout(List.copyOf(fields), unreadable);
        }
        String why = null;
        List<String> order = null;
        try {
            order = fieldNamesInClassFile(type);
        } catch (IOException e) {
            why = e.getMessage() != null ? e.getMessage() : e.toString();
        }
        if (order != null) {
            for (String name : order) {
                Field f = declared.remove(name);
                if (f != null) {
                    fields.add(f);
                }
            }
            if (!declared.isEmpty()) {
                why = "its class file does not declare field(s) " + declared.keySet()
                        + ", so it is not the class that was loaded";
                fields.addAll(declared.values());
            }
        } else {
            fields.addAll(declared.values());
        }
        if (why != null && unreadable == null) {
            unreadable = "cannot read the field order of " + type.getName() + ": " + why;
        }
        return new Layout(List.copyOf(fields), unreadable);
    }

    /** The names in the field table of {@code type}'s class file, in table order. */
    static List<String> fieldNamesInClassFile(Class<?> type) throws IOException {
        String internal = type.getName().replace('.', '/');
        try (InputStream raw = type.getResourceAsStream("/" + internal + ".class")) {
            if (raw == null) {
                throw new IOException("its class file " + internal + ".class is not on its class loader's resource"
                        + " path (a class generated at run time?)");
            }
            return fieldNames(new DataInputStream(raw), internal);
        }
    }

    /** Reads a class file up to the end of its field table (JVMS 4.1, 4.4, 4.5). */
    static List<String> fieldNames(DataInputStream in, String expectedName) throws IOException {
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort(); // minor version
        in.readUnsignedShort(); // major version
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF(); // CONSTANT_Utf8: u2 length, modified UTF-8, as readUTF reads
                case 7 -> classNameIndex[i] = in.readUnsignedShort(); // CONSTANT_Class
                case 8, 16, 19, 20 -> in.readUnsignedShort(); // String, MethodType, Module, Package
                case 15 -> in.readFully(new byte[3]); // MethodHandle
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt(); // Integer, Float, *ref, NameAndType, (Invoke)Dynamic
                case 5, 6 -> { // Long, Double: two slots
                    in.readLong();
                    i++;
                }
                default -> throw new IOException("unknown constant pool tag " + tag + " at entry " + i);
            }
        }
        in.readUnsignedShort(); // access flags
        int thisClass = in.readUnsignedShort();
        String name = thisClass > 0 && thisClass < count ? utf8[classNameIndex[thisClass]] : null;
        if (!expectedName.equals(name)) {
            throw new IOException("the class file found declares class " + name + ", not " + expectedName);
        }
        in.readUnsignedShort(); // super class
        int interfaces = in.readUnsignedShort();
        for (int i = 0; i < interfaces; i++) {
            in.readUnsignedShort();
        }
        int fieldCount = in.readUnsignedShort();
        List<String> names = new ArrayList<>(fieldCount);
        for (int i = 0; i < fieldCount; i++) {
            in.readUnsignedShort(); // access flags
            int nameIndex = in.readUnsignedShort();
            in.readUnsignedShort(); // descriptor
            if (nameIndex <= 0 || nameIndex >= count || utf8[nameIndex] == null) {
                throw new IOException("field " + i + " has no name in the constant pool");
            }
            names.add(utf8[nameIndex]);
            int attributes = in.readUnsignedShort();
            for (int a = 0; a < attributes; a++) {
                in.readUnsignedShort(); // attribute name
                in.skipNBytes(Integer.toUnsignedLong(in.readInt()));
            }
        }
        return names;
    }
}
