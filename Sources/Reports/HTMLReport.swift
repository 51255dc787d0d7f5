import Lessons

public enum HTMLReport {
  public static func render(_ run: ExecutedLesson) -> String { "<!doctype html><title>todo</title>" }
}
