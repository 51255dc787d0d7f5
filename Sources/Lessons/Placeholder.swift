public enum LessonsPlaceholder {}
