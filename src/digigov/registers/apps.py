from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "digigov.registers"
    label = "registers"
    verbose_name = "Digigov base registers"

    def ready(self) -> None:
        # The BankID simulator names a person as the population register does, where this
        # installation keeps one (identity sits above registers, so it is told, not asks).
        from digigov.identity.bankid.simulator import rules
        from digigov.registers import queries

        rules.directory = queries.named_person
