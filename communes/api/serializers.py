from rest_framework import serializers

from communes.models import Commune, District, Province, Recognition


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["code", "name", "region"]


class DistrictSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code")

    class Meta:
        model = District
        fields = ["code", "name", "kind", "province"]


class CommuneSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.code", allow_null=True, default=None)
    province = serializers.CharField(source="province.code")

    class Meta:
        model = Commune
        fields = ["code", "name", "kind", "district", "province", "level"]


class RecognitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recognition
        fields = ["level", "action", "decision_number", "decision_date", "issuer"]


class CommuneDetailSerializer(CommuneSerializer):
    recognitions = RecognitionSerializer(many=True, read_only=True)

    class Meta(CommuneSerializer.Meta):
        fields = CommuneSerializer.Meta.fields + ["recognitions"]


class CommuneFilterInput(serializers.Serializer):
    district = serializers.CharField(required=False)
    province = serializers.CharField(required=False)
    level = serializers.ChoiceField(required=False, choices=["none", "basic", "standard", "advanced", "model"])
    kind = serializers.ChoiceField(required=False, choices=["xa", "phuong", "thi_tran"])
    search = serializers.CharField(required=False)
