from django.db import models


class ProductKind(models.TextChoices):
    CHIP = "chip", "Chip"
    SYSTEM = "system", "System"


class Eccn(models.TextChoices):
    CHIP_3A090A = "3A090.a", "3A090.a"
    SYSTEM_4A090A = "4A090.a", "4A090.a"
    NOT_CONTROLLED = "not controlled", "Not controlled"
