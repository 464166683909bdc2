"""A syslog-ng python() parser that does nothing: the benchmark's reference for the cost of
syslog-ng's Python bridge itself (calling into Python once per message)."""


class Noop:
    def init(self, options: object) -> bool:
        return True

    def deinit(self) -> None:
        pass

    def parse(self, log_message: object) -> bool:
        return True
